# Sourced by the scripts that run a sweep through a single-node Slurm of their own
# (scripts/ci/test_sweep_slurm.sh, scripts/bench/sweep-timing.sh), after scripts/lib.sh.
#   slurm_workdir NAME   makes $work (/tmp/linflow-NAME.XXXXXX), and on exit stops the daemons
#                        started in it and removes it
#   start_slurm          starts munged, slurmctld and slurmd in $work/slurm (start.sh) and
#                        exports SLURM_CONF
slurm_workdir() {
    work=$(mktemp -d "/tmp/linflow-$1.XXXXXX")
    trap 'bash "$ROOT/scripts/ci/slurm/stop.sh" "$work/slurm"; rm -rf "$work"' EXIT
}

start_slurm() {
    export SLURM_CONF
    SLURM_CONF=$(bash "$ROOT/scripts/ci/slurm/start.sh" "$work/slurm")
}
