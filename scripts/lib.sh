# Sourced by the figure scripts. Sets ROOT (the repository), FIGURES (docs/figures) and WORK
# (a temporary directory, removed on exit), and defines `linflow`, which runs, in this order:
# $LINFLOW if set; the release build, brought up to date with `swift build -c release`;
# .build/release/linflow as it is, when swift is not at hand; else `swift run -c release linflow`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIGURES="$ROOT/docs/figures"
mkdir -p "$FIGURES"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/linflow-figure.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ -n "${LINFLOW:-}" ]]; then
    LINFLOW_COMMAND=("$LINFLOW")
elif command -v swift >/dev/null && swift build --package-path "$ROOT" -c release --product linflow >&2; then
    LINFLOW_COMMAND=("$(swift build --package-path "$ROOT" -c release --show-bin-path)/linflow")
elif [[ -x "$ROOT/.build/release/linflow" ]]; then
    LINFLOW_COMMAND=("$ROOT/.build/release/linflow")
else
    LINFLOW_COMMAND=(swift run --package-path "$ROOT" -c release linflow)
fi

linflow() { "${LINFLOW_COMMAND[@]}" "$@"; }

# True if this linflow has the subcommand $1. (`linflow NAME --help` alone is not enough: for an
# unknown NAME it prints the top-level help and succeeds.)
has_subcommand() {
    local help
    help=$(linflow "$1" --help 2>/dev/null) && grep -q "^USAGE: linflow $1\b" <<<"$help"
}

# restyle SCRIPT NAME SED-ARGS…: edits a gnuplot script written by `linflow plot --script` with
# the sed arguments given, runs it, and moves the picture into place as $FIGURES/NAME (so a
# failed run leaves the old figure).
restyle() {
    local script=$1 name=$2
    shift 2
    sed "$@" -e "s|^set output .*|set output '$WORK/$name'|" "$script" >"$WORK/$name.gp"
    gnuplot "$WORK/$name.gp"
    mv "$WORK/$name" "$FIGURES/$name"
}
