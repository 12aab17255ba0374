#!/usr/bin/env bash
# Wall time of one sweep (the phase diagram's: 112 descend tasks, figure-sweep-phase.sh) run
# five ways: `sweep run --jobs 1` and `--jobs 2` (tasks in-process), `sweep run --isolate
# --jobs 2` (one process per task), and as a Slurm job array on a single-node Slurm started here
# (scripts/ci/slurm/start.sh, one CPU per element), one task per element and 16 per element
# (`--tasks-per-job 16`). All five summaries must be identical.
#
#     scripts/bench/sweep-timing.sh [path/to/linflow]   (default: $LINFLOW, else the release build)
source "$(dirname "$0")/../lib.sh"
source "$ROOT/scripts/ci/slurm/temporary.sh"
find_linflow "${1:-}"
slurm_workdir sweep-timing
cd "$work"
plan=(--grid lr=0.2:3.2:16 --grid init-scale=1e-3:1:7log -- descend --dataset hierarchy --hidden 16 --seed 1 --steps 300 --every 30)
seconds() { date +%s.%N; }
local_run() {  # NAME, then sweep run's options
  local name=$1; shift
  linflow sweep plan "$name" "${plan[@]}" 2>/dev/null
  t0=$(seconds); linflow sweep run "$name" "$@" 2>/dev/null; t1=$(seconds)
  printf 'sweep run %s: %.1f s\n' "$*" "$(echo "$t1 - $t0" | bc)"
  linflow sweep collect "$name" -o "$name.csv" 2>/dev/null
}
local_run jobs1 --jobs 1
local_run jobs2 --jobs 2
local_run isolated --isolate --jobs 2
start_slurm
slurm_run() {  # NAME, then sweep slurm's options
  local name=$1; shift
  linflow sweep plan "$name" "${plan[@]}" 2>/dev/null
  t0=$(seconds)
  job=$(linflow sweep slurm "$name" --submit "$@" 2>/dev/null)
  while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do sleep 0.2; done
  t1=$(seconds)
  printf 'Slurm job array (%s CPUs, 1 per element, %s), submit to last element done: %.1f s\n' "$(nproc)" "${*:-one task per element}" "$(echo "$t1 - $t0" | bc)"
  linflow sweep collect "$name" -o "$name.csv" 2>/dev/null
}
slurm_run cluster
slurm_run chunked --tasks-per-job 16
for f in jobs2 isolated cluster chunked; do cmp jobs1.csv "$f.csv"; done && echo "summaries identical"
