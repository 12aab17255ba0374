# Sourced by the figure scripts: scripts/lib.sh with the executable found (`LINFLOW=…` to use
# another one), FIGURES (docs/figures), WORK (a temporary directory, removed on exit) and
# restyle.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
find_linflow

FIGURES="$ROOT/docs/figures"
mkdir -p "$FIGURES"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/linflow-figure.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

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
