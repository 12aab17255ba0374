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

# kernel_distance_figure NAME TITLE XLABEL XAXIS PREFIX LABEL VALUE…: the two panels of the
# lazy-versus-rich figures, into $FIGURES/NAME. Left: the loss of $WORK/PREFIX_VALUE.csv for each
# VALUE, titled 'LABEL = VALUE'. Right: $WORK/final.dat (the swept value and the kernel distance
# at the end, one pair a line) against XLABEL; XAXIS is gnuplot's set-up of that axis (or empty).
kernel_distance_figure() {
    local name=$1 title=$2 xlabel=$3 xaxis=$4 prefix=$5 label=$6
    shift 6
    local plots=() value
    for value in "$@"; do
        plots+=("'$WORK/${prefix}_$value.csv' using \"t\":\"loss\" with lines lw 2 title '$label = $value'")
    done
    local joined
    joined=$(IFS=,; echo "${plots[*]}")
    cat >"$WORK/$name.gp" <<GP
set terminal pngcairo size 1200,520 font 'DejaVu Sans,11'
set output '$WORK/$name'
set datafile separator ','
set multiplot layout 1,2 title '$title'
set logscale y
set format y '10^{%T}'
set xlabel 't'
set ylabel 'loss'
# The legend sits below the panel, in two rows, off the curves.
set key outside bottom center horizontal maxrows 2 Left reverse samplen 2
set grid
# Once converged, the loss computed from the moments is rounding, 0 to about 1e-15 (docs/cli.md,
# "The loss"), which would draw as noise that changes with the last bits: the axis stops at
# 1e-14, above it.
set yrange [1e-14:*]
plot $joined
set datafile separator whitespace
$xaxis
unset logscale y
set format y '%g'
set xlabel '$xlabel'
set ylabel 'kernel distance at t = 80'
set autoscale y
set yrange [0:*]
unset key
plot '$WORK/final.dat' using 1:2 with linespoints lw 2 pt 7
unset multiplot
GP
    gnuplot "$WORK/$name.gp"
    mv "$WORK/$name" "$FIGURES/$name"
    column -t "$WORK/final.dat" >&2
}
