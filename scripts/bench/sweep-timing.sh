#!/usr/bin/env bash
# Wall time of one sweep (the phase diagram's: 112 descend tasks, figure-sweep-phase.sh) run
# three ways: `sweep run --jobs 1`, `sweep run --jobs 2`, and as a Slurm job array on a
# single-node Slurm started here (scripts/ci/slurm/start.sh, one CPU per element). All three
# summaries must be identical.
#
#     scripts/bench/sweep-timing.sh [path/to/linflow]   (default: $LINFLOW, else the release build)
source "$(dirname "$0")/../lib.sh"
source "$ROOT/scripts/ci/slurm/temporary.sh"
find_linflow "${1:-}"
slurm_workdir sweep-timing
cd "$work"
plan=(--grid lr=0.2:3.2:16 --grid init-scale=1e-3:1:7log -- descend --dataset hierarchy --hidden 16 --seed 1 --steps 300 --every 30)
seconds() { date +%s.%N; }
for jobs in 1 2; do
  linflow sweep plan "jobs$jobs" "${plan[@]}" 2>/dev/null
  t0=$(seconds); linflow sweep run "jobs$jobs" --jobs "$jobs" 2>/dev/null; t1=$(seconds)
  printf 'sweep run --jobs %d: %.1f s\n' "$jobs" "$(echo "$t1 - $t0" | bc)"
  linflow sweep collect "jobs$jobs" -o "jobs$jobs.csv" 2>/dev/null
done
start_slurm
linflow sweep plan cluster "${plan[@]}" 2>/dev/null
t0=$(seconds)
job=$(linflow sweep slurm cluster --submit 2>/dev/null)
while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do sleep 0.2; done
t1=$(seconds)
printf 'Slurm job array (%s CPUs, 1 per element), submit to last element done: %.1f s\n' "$(nproc)" "$(echo "$t1 - $t0" | bc)"
linflow sweep collect cluster -o cluster.csv 2>/dev/null
cmp jobs1.csv jobs2.csv && cmp jobs1.csv cluster.csv && echo "summaries identical"
