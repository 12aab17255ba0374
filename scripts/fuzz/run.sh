#!/usr/bin/env bash
# Fuzz linflow's input handling for a bounded time.
#   scripts/fuzz/run.sh [SECONDS]     (default 60; CI runs it for 40)
# 1. libFuzzer on the CSV reader (swiftc -sanitize=fuzzer,address), seeded with the corpus of
#    valid and malformed files in Tests/Fixtures; any crashing input is saved to
#    Tests/Fixtures/fuzz-regressions/, which the test suite replays on every run.
# 2. Random argument lists against the executable (scripts/fuzz/fuzz_arguments.py): $LINFLOW if
#    set, else the release build (scripts/lib.sh).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
SECONDS_TOTAL="${1:-60}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The reader's sources, in the target layout (LinFlowIO, LinFlowNumerics) or the single
# LinFlowKit target before it, compiled into one module with the harness: their imports of
# linflow's own modules are dropped, as those files are compiled together here.
mkdir -p "$WORK/src"
copy_source() {
    local path
    for path in "$@"; do
        if [ -f "$path" ]; then
            sed '/^import LinFlow/d' "$path" >"$WORK/src/$(basename "$path")"
            return
        fi
    done
    echo "fuzz: none of $* exists" >&2
    exit 1
}
copy_source Sources/LinFlowIO/Data/NumericCSV.swift Sources/LinFlowKit/Data/NumericCSV.swift
copy_source Sources/LinFlowIO/Data/DecimalParser.swift Sources/LinFlowKit/Data/DecimalParser.swift
copy_source Sources/LinFlowIO/Data/CSVDialect.swift Sources/LinFlowKit/Data/CSVDialect.swift
copy_source Sources/LinFlowNumerics/Errors.swift Sources/LinFlowIO/Errors.swift Sources/LinFlowKit/Errors.swift
# The target layout's errors name a Setting (the option's name is the executable's).
if [ -f Sources/LinFlowNumerics/Support/Setting.swift ]; then
    copy_source Sources/LinFlowNumerics/Support/Setting.swift
fi
swiftc -O -sanitize=fuzzer,address -parse-as-library "$WORK"/src/*.swift scripts/fuzz/FuzzCSV.swift -o "$WORK/fuzz-csv"

mkdir -p "$WORK/corpus" Tests/Fixtures/fuzz-regressions
cp Tests/Fixtures/csv-corpus/* "$WORK/corpus/" 2>/dev/null || true
cp Tests/Fixtures/fuzz-regressions/* "$WORK/corpus/" 2>/dev/null || true

half=$(( SECONDS_TOTAL / 2 ))
set +e
"$WORK/fuzz-csv" "$WORK/corpus" -max_total_time="$half" -max_len=512 \
    -artifact_prefix=Tests/Fixtures/fuzz-regressions/ -print_final_stats=1 2>"$WORK/fuzz.log"
status=$?
set -e
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$WORK/fuzz.log" || true
if [ $status -ne 0 ]; then
    tail -40 "$WORK/fuzz.log"
    echo "fuzz: the CSV reader crashed; the input is in Tests/Fixtures/fuzz-regressions/" >&2
    exit 1
fi
echo "fuzz: CSV reader ran ${half}s without a crash"

find_linflow
python3 scripts/fuzz/fuzz_arguments.py "$LINFLOW_BIN" "$(( SECONDS_TOTAL - half ))"
