#!/usr/bin/env bash
# CI: a sweep through a real Slurm. Starts a single-node Slurm (scripts/ci/slurm/start.sh), plans 12
# descend tasks on the hierarchy data (lr × init-scale), submits them as a job array with
# `linflow sweep slurm --submit`, cancels one element while it runs (scancel), checks that the
# sweep then lacks exactly that task, resubmits (the new array covers only it), and requires the
# collected summary to equal, byte for byte, that of a local `linflow sweep run` of the same plan
# (its tasks in-process; the array elements run each task as a process of its own). Then the
# same plan again as chunks of 5 tasks per element (`--tasks-per-job 5`, in each element's
# process), whose summary must be the same bytes too.
# Stops the daemons it started (by pid) however it ends.
#
#   scripts/ci/test_sweep_slurm.sh [path/to/linflow]   (default: $LINFLOW, else the release build)
#
# On a real cluster the same three commands apply, with the site's Slurm:
#   linflow sweep plan DIR --grid … -- descend …;  linflow sweep slurm DIR --submit;  linflow sweep collect DIR -o summary.csv
source "$(dirname "$0")/../lib.sh"
source "$ROOT/scripts/ci/slurm/temporary.sh"
find_linflow "${1:-}"
slurm_workdir sweep-slurm
step() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

start_slurm
step "Slurm up: $(sinfo -h -N -o '%N %c CPUs %T')"

# 12 tasks of about two seconds each, so that one can be cancelled while it runs: the number of
# steps is scaled to this executable's speed (a release build is many times faster than a debug
# one), measured on the victim's own settings as the time of 20000 steps less that of 2000
# (process start and the sharpness estimate at the start cancel out).
cd "$work"
TIMEFORMAT=%R
probe() { { time linflow descend --lr 0.5 --init-scale 0.1 --steps "$1" --every "$1" -o probe.csv >/dev/null 2>&1; } 2>&1; }
short=$(probe 2000)
long=$(probe 20000)
read -r steps every < <(python3 -c "
per_step = max(($long - $short) / 18000, $long / 20000 / 10, 1e-7)
steps = max(2000, round(2.0 / per_step / 100) * 100)
print(steps, steps // 20)")
step "2000 steps took $short s, 20000 steps $long s: $steps steps a task, a row every $every"
plan=(--grid lr=0.25,0.5,1,2.5 --grid init-scale=1e-3:1e-1:3log -- descend --steps "$steps" --every "$every")
linflow sweep plan local "${plan[@]}"
linflow sweep plan cluster "${plan[@]}"
cmp local/plan.json cluster/plan.json

wait_for() {  # job id, timeout in seconds
  local t=0
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
    sleep 0.5; t=$((t + 1))
    if [ $t -ge $(($2 * 2)) ]; then echo "job $1 still queued after $2 s:" >&2; squeue >&2; exit 1; fi
  done
}

# One element at a time (--array-limit 1), so element 5 is certainly caught running.
job=$(linflow sweep slurm cluster --submit --array-limit 1)
step "submitted job array $job"
victim=5
for _ in $(seq 1 240); do
  if ls -d cluster/tasks/$victim.tmp-* >/dev/null 2>&1 && squeue -h -j "${job}_$victim" -t R | grep -q .; then break; fi
  sleep 0.25
done
scancel "${job}_$victim"
step "cancelled element ${job}_$victim while it ran"
wait_for "$job" 120
linflow sweep status cluster | tee status.txt
grep -q "11 complete" status.txt || { echo "expected 11 finished tasks after the cancel" >&2; exit 1; }
grep -q "missing: $victim\$" status.txt || { echo "expected task $victim missing after the cancel" >&2; exit 1; }
[ ! -e cluster/tasks/$victim ] || { echo "the cancelled task left a result" >&2; exit 1; }

job2=$(linflow sweep slurm cluster --submit)
grep -q "^#SBATCH --array=$victim\$" cluster/sweep.sbatch || { echo "the resubmission should cover task $victim only" >&2; exit 1; }
step "resubmitted task $victim as job $job2"
wait_for "$job2" 60
linflow sweep status cluster | tee status.txt
grep -q "^12 tasks: 12 complete" status.txt

step "the same plan locally"
linflow sweep run local --jobs 2 2>/dev/null
linflow sweep collect local -o local.csv
linflow sweep collect cluster -o cluster.csv
cmp local.csv cluster.csv
step "summaries identical ($(wc -l < cluster.csv) lines)"

linflow sweep plan chunked "${plan[@]}"
job3=$(linflow sweep slurm chunked --submit --tasks-per-job 5)
grep -q "^#SBATCH --array=0-2\$" chunked/sweep.sbatch || { echo "12 tasks in chunks of 5 should be elements 0-2" >&2; exit 1; }
step "submitted the plan as 3 elements of up to 5 tasks each: job $job3"
wait_for "$job3" 180
linflow sweep collect chunked -o chunked.csv
cmp local.csv chunked.csv
step "chunked summary identical too; Slurm sweep test passed"
