#!/usr/bin/env bash
# Figure: weight decay on the mode strengths of a two-layer network (docs/modified-flows.md).
#
# An 8-8-15 network on Saxe et al.'s hierarchical dataset (Σ11 = I/8, so c = 1/8 and the
# strengths s_α/c are 3.87, 2.65, 1.73 (×2) and 1 (×4)) from the aligned balanced start (a0 = 1e-3),
# with weight decay γ = 0.15, i.e. γ/c = 1.2. Solid: `linflow simulate --weight-decay 0.15 --modes`
# (the numerical flow); dashed: `linflow analytic --weight-decay 0.15 --modes` (Saxe's logistic with
# s − γ); grey: the same flow without decay. Each mode settles at (s_α − γ)/c = 2.67, 1.45, 0.53
# instead of s_α/c; the four modes with s_α = 0.125 < γ are never learned.
#
#     scripts/figures/figure-weight-decay.sh      → docs/figures/figure-weight-decay.png
source "$(dirname "$0")/common.sh"

run=(--dataset hierarchy --hidden 8 --init aligned --init-scale 1e-3 --t-end 80 --samples 400
     --modes --diagnostics none --weights none)
linflow simulate "${run[@]}" --weight-decay 0.15 -o "$WORK/decay.csv" 2>/dev/null
linflow analytic "${run[@]}" --weight-decay 0.15 -o "$WORK/exact.csv" 2>"$WORK/analytic.txt"
linflow simulate "${run[@]}" -o "$WORK/plain.csv" 2>/dev/null

plots=()
for k in 1 2 3 5; do
    plots+=("'$WORK/plain.csv' using \"t\":\"mode_$k\" with lines lw 1 lc rgb '#bbbbbb' notitle")
done
for k in 1 2 3 5; do
    plots+=("'$WORK/decay.csv' using \"t\":\"mode_$k\" with lines lw 2 lc $k title 'mode $k, flow'")
    plots+=("'$WORK/exact.csv' using \"t\":\"mode_$k\" with lines lw 2 dt 2 lc rgb 'black' notitle")
done
joined=$(IFS=,; echo "${plots[*]}")

cat >"$WORK/figure.gp" <<GP
set terminal pngcairo size 900,560 font 'DejaVu Sans,11'
set output '$WORK/figure-weight-decay.png'
set datafile separator ','
set title 'Weight decay γ = 0.15, 8-8-15 network: flow (solid), closed form with s − γ (dashed), γ = 0 (grey)'
set xlabel 't'
set ylabel 'mode strength u_α^T W v_α'
set key top left
set grid
set arrow from graph 0, first 2.6729833 to graph 1, first 2.6729833 nohead dt 3 lc rgb '#666666'
set arrow from graph 0, first 1.4457513 to graph 1, first 1.4457513 nohead dt 3 lc rgb '#666666'
set arrow from graph 0, first 0.5320508 to graph 1, first 0.5320508 nohead dt 3 lc rgb '#666666'
plot $joined
GP
gnuplot "$WORK/figure.gp"
mv "$WORK/figure-weight-decay.png" "$FIGURES/figure-weight-decay.png"
cat "$WORK/analytic.txt" >&2
