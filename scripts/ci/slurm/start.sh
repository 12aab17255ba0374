#!/usr/bin/env bash
# Starts a single-node Slurm on this machine for tests and demonstrations: munged, slurmctld and
# slurmd, run as root, on 127.0.0.1, with a generated slurm.conf. Everything (key, sockets,
# state, logs, pid files) lives under one directory, so nothing of the system's own Slurm or
# munge is touched.
#
#   scripts/ci/slurm/start.sh DIR       # then:  export SLURM_CONF=DIR/slurm.conf
#   scripts/ci/slurm/stop.sh DIR        # stops the three daemons by the pids recorded in DIR
#
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge). On a real cluster none of
# this is needed: the site's Slurm runs `linflow sweep slurm DIR --submit` as it is.
set -euo pipefail
dir=${1:?usage: start.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
# Ports away from the default 6817/6818, in case a system Slurm is running.
ctld_port=${SLURM_TEST_CTLD_PORT:-16817}
slurmd_port=${SLURM_TEST_SLURMD_PORT:-16818}

# munged: its own key, socket and files. --force: root is fine on a test machine.
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 \
  || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munge.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=linflowtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=5
MinJobAge=300
MaxArraySize=10001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"

# -i: ignore state left by an earlier run in the same directory.
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Wait until the node takes jobs.
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "start.sh: the node did not become idle within 30 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
sinfo -N >&2 || true
exit 1
