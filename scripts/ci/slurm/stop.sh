#!/usr/bin/env bash
# Stops the daemons scripts/ci/slurm/start.sh DIR started, by the pids it recorded in DIR.
set -uo pipefail
dir=${1:?usage: stop.sh DIR}
for name in slurmd slurmctld munge; do
  pidfile="$dir/$name.pid"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
done
exit 0
