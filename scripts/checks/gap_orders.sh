#!/usr/bin/env bash
# Measures the order of descent's gap to the gradient flow and to the modified flow:
# runs `linflow compare` at η, η/2, η/4 over the same horizon and prints the largest gaps
# and their ratios (≈ 2 for O(η), ≈ 4 for O(η²)). Extra arguments go to every compare run.
#   scripts/checks/gap_orders.sh [η] [compare options…]   e.g. scripts/checks/gap_orders.sh 0.2 --dataset hierarchy
# The executable: $LINFLOW if set, else the release build (scripts/lib.sh).
source "$(dirname "$0")/../lib.sh"
find_linflow
eta=${1:-0.2}
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %-14s %-8s %-14s %-8s\n' "η" "max gap_flow" "ratio" "max gap_mod" "ratio"
prev_f="" prev_m=""
for d in 1 2 4; do
    e=$(python3 -c "print($eta/$d)")
    linflow compare --lr "$e" "$@" -o "$tmp/c.csv" 2>"$tmp/err"
    read -r f m < <(python3 - "$tmp/c.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(max(float(r["gap_flow"]) for r in rows), max(float(r["gap_modified"]) for r in rows))
PY
)
    rf=${prev_f:+$(python3 -c "print(f'{$prev_f/$f:.3f}')")}
    rm=${prev_m:+$(python3 -c "print(f'{$prev_m/$m:.3f}')")}
    printf '%-10s %-14.6g %-8s %-14.6g %-8s\n' "$e" "$f" "${rf:--}" "$m" "${rm:--}"
    prev_f=$f prev_m=$m
done
