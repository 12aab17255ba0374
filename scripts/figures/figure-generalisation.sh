#!/usr/bin/env bash
# Figures of docs/theory-generalisation.md: train and test loss over time on teacher–student tasks,
# simulated (`linflow simulate`, mean of 8 seeds) against `linflow theory`.
#
# One layer, n = 100 inputs, m = 10 outputs, teacher singular values 3, 2, noise 1 per output,
# start N(0, 0.01²), to t = 20 (scripts/figures/generalisation_runs.py draws the tasks and runs both).
#   figure-generalisation-curves.png   α = N/n = 0.5, 1, 2, 4: train (loss) and test (test_loss)
#   figure-generalisation-stopping.png the early-stopping time and the test loss there against α,
#                                      and the test loss at t = 20
# The deviations the captions quote are printed at the end (and checked by scripts/docs/check).
#
#     scripts/figures/figure-generalisation.sh
#     LINFLOW=.build/debug/linflow scripts/figures/figure-generalisation.sh    (without a release build)
source "$(dirname "$0")/common.sh"

python3 "$ROOT/scripts/figures/generalisation_runs.py" "$WORK" "$LINFLOW_BIN" | tee "$WORK/numbers.txt"
cp "$WORK/stopping.csv" "$FIGURES/figure-generalisation-stopping.csv"

cat >"$WORK/curves.gp" <<EOF
set terminal pngcairo size 1100,800 font ",11"
set output '$WORK/figure-generalisation-curves.png'
set datafile separator ","
set multiplot layout 2,2 title "One layer, n = 100, m = 10, teacher s = 3, 2, noise σ = 1: lines theory, points simulated (mean of 8 seeds)"
set xlabel 't'
set ylabel 'loss'
set key center right opaque box
set grid
do for [a in "0.5 1 2 4"] {
    set title sprintf("α = N/n = %s", a)
    plot '$WORK/theory-'.a.'.csv' using "t":"test_loss" with lines lw 2 lc rgb "#c0392b" title "test (theory)", \
         '$WORK/sim-'.a.'.csv' every 10 using "t":"test_loss" with points pt 7 ps 0.7 lc rgb "#c0392b" title "test (simulated)", \
         '$WORK/theory-'.a.'.csv' using "t":"loss" with lines lw 2 lc rgb "#2471a3" title "train (theory)", \
         '$WORK/sim-'.a.'.csv' every 10 using "t":"loss" with points pt 5 ps 0.6 lc rgb "#2471a3" title "train (simulated)"
}
unset multiplot
EOF
gnuplot "$WORK/curves.gp"
mv "$WORK/figure-generalisation-curves.png" "$FIGURES/figure-generalisation-curves.png"

cat >"$WORK/stopping.gp" <<EOF
set terminal pngcairo size 1100,450 font ",11"
set output '$WORK/figure-generalisation-stopping.png'
set datafile separator ","
set multiplot layout 1,2 title "Early stopping against α = N/n (one layer, n = 100): lines theory, points simulated (mean of 8 seeds)"
set xlabel 'α = N/n'
set grid
set key top right
set title "time of the lowest test loss"
set ylabel 't'
plot '$WORK/stopping.csv' using "alpha":"t_stop_theory" with linespoints lw 2 pt 6 lc rgb "#2471a3" title "theory", \
     '$WORK/stopping.csv' using "alpha":"t_stop_sim" with points pt 7 lc rgb "#2471a3" title "simulated"
set title "test loss: at the stopping time and at t = 20"
set ylabel 'test loss'
set yrange [0:*]
set key bottom right opaque box
plot '$WORK/stopping.csv' using "alpha":"test_stop_theory" with linespoints lw 2 pt 6 lc rgb "#1e8449" title "lowest (theory)", \
     '$WORK/stopping.csv' using "alpha":"test_stop_sim" with points pt 7 lc rgb "#1e8449" title "lowest (simulated)", \
     '$WORK/stopping.csv' using "alpha":"test_late_theory" with linespoints lw 2 pt 6 lc rgb "#c0392b" title "t = 20 (theory)", \
     '$WORK/stopping.csv' using "alpha":"test_late_sim" with points pt 7 lc rgb "#c0392b" title "t = 20 (simulated)"
unset multiplot
EOF
gnuplot "$WORK/stopping.gp"
mv "$WORK/figure-generalisation-stopping.png" "$FIGURES/figure-generalisation-stopping.png"
