#!/usr/bin/env bash
# Figure 2: gradient descent beside the gradient flow and the modified flow.
#
# `linflow compare` on the hierarchical dataset (8-16-15, random start σ = 0.001, seed 1) at
# learning rates η = 0.4, 0.2 and 0.1, each over t = 0…80 (t = kη after k steps).
# Above: the loss of descent (circles), of the flow (solid) and of the modified flow
# dθ/dt = −∇L − (η/2)H∇L (dashed) at η = 0.4 (linear axis): descent lags the flow in every stage,
# and the modified flow runs through descent's points.
# Below: the gaps ‖W_gd − W‖_F between the end-to-end maps W32·W21 of descent and of each flow
# (gap_flow and gap_modified, log axis) at the three rates: halving η halves the gap to the
# flow (first order) and quarters the gap to the modified flow (second order).
#
#     scripts/figures/figure2-descent.sh       → docs/figures/figure2-descent.png
source "$(dirname "$0")/common.sh"

inputs=()
labels=()
for lr in 0.4 0.2 0.1; do
    linflow compare --dataset hierarchy --hidden 16 --init-scale 1e-3 --seed 1 \
        --lr "$lr" -o "$WORK/compare-$lr.csv"
    inputs+=("$WORK/compare-$lr.csv")
    labels+=(--label "η = $lr")
done

linflow plot "${inputs[@]}" "${labels[@]}" --kind compare --columns 'loss_*,gap_flow,gap_modified' \
    --size 1100,820 \
    --title "Gradient descent beside the gradient flow and the modified flow (hierarchical dataset, 8-16-15, σ = 0.001)" \
    --script "$WORK/figure2.gp"
# The edit keeps only η = 0.4 in the loss panel, on a linear axis, with descent as open circles
# (every 4th step) over the flow (solid) and the modified flow (dashed), which lies on descent;
# it names the legend entries and puts each panel's legend inside it, where no curve runs (top
# right above the converged losses; below the gaps, one column per η, the axis from 1e-11 to
# make room).
restyle "$WORK/figure2.gp" figure2-descent.png \
    -e '/^# Panel 1/,/^# Panel 2/{' \
    -e '/^    file[23] /d' \
    -e 's/^set logscale y$/unset logscale y/' \
    -e "s/^set format y .*/set format y '% g'/" \
    -e "s/^\\(    file1 using \"t\":\"loss_gd\"\\) with lines lw 2 \\(lc rgb '#0072b2'\\) dt 1/\\1 every 4 with points pt 6 ps 1.1 lw 1.5 \\2/" \
    -e "s/^\\(    file1 using \"t\":\"loss_modified\" with lines\\) lw 2 \\(lc rgb '#009e73'\\) dt 1/\\1 lw 2.5 \\2 dt 2/" \
    -e 's/, \\$//' \
    -e '}' \
    -e "s/title 'η = \\([0-9.]*\\): loss_gd'/title 'descent, η = \\1 (every 4th step)', \\\\/" \
    -e "s/title 'η = [0-9.]*: loss_flow'/title 'flow', \\\\/" \
    -e "s/title 'η = \\([0-9.]*\\): loss_modified'/title 'modified flow, η = \\1'/" \
    -e "s/title 'η = \\([0-9.]*\\): gap_flow'/title 'to the flow, η = \\1'/" \
    -e "s/title 'η = \\([0-9.]*\\): gap_modified'/title 'to the modified flow, η = \\1'/" \
    -e 's/^set key outside right top noenhanced/set key inside right top noenhanced Left reverse box opaque/' \
    -e 's/^# Panel 2: gap$/&\nset key inside center bottom maxrows 2 Left reverse opaque samplen 2 width -4\nset yrange [1e-11:10]/' \
    -e 's/^set rmargin at screen .*/set rmargin 4/' \
    -e "s/^set ylabel 'gap'/set ylabel 'gap ‖W_{gd} − W‖_F of W_{32}W_{21}'/"
