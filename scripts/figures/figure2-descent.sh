#!/usr/bin/env bash
# Figure 2: gradient descent beside the gradient flow and the modified flow.
#
# `linflow compare` on the hierarchical dataset (8-16-15, random start σ = 0.001, seed 1) at
# learning rates η = 0.4, 0.2 and 0.1, each over t = 0…80 (t = kη after k steps).
# Above: the loss of descent, of the flow and of the modified flow dθ/dt = −∇L − (η/2)H∇L at
# η = 0.4 (linear axis): descent lags the flow in every stage, and the modified flow lies on it.
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
# The edit keeps only η = 0.4 in the loss panel, on a linear axis, with descent drawn wide and
# pale beneath the modified flow, and names the legend entries.
restyle "$WORK/figure2.gp" figure2-descent.png \
    -e '/^# Panel 1/,/^# Panel 2/{' \
    -e '/^    file[23] /d' \
    -e 's/^set logscale y$/unset logscale y/' \
    -e "s/^set format y .*/set format y '% g'/" \
    -e "s/^\\(    file1 using \"t\":\"loss_gd\" with lines lw\\) 2 \\(lc rgb\\) '#0072b2'/\\1 5 \\2 '#9ecae1'/" \
    -e 's/, \\$//' \
    -e '}' \
    -e "s/title 'η = \\([0-9.]*\\): loss_gd'/title 'descent, η = \\1', \\\\/" \
    -e "s/title 'η = [0-9.]*: loss_flow'/title 'flow', \\\\/" \
    -e "s/title 'η = \\([0-9.]*\\): loss_modified'/title 'modified flow, η = \\1'/" \
    -e "s/title 'η = \\([0-9.]*\\): gap_flow'/title 'from the flow, η = \\1'/" \
    -e "s/title 'η = \\([0-9.]*\\): gap_modified'/title 'from the modified flow, η = \\1'/" \
    -e 's/^set key outside right top noenhanced/& Left reverse/' \
    -e 's/^set rmargin at screen .*/set rmargin at screen 0.63/' \
    -e "s/^set ylabel 'gap'/set ylabel 'gap ‖W_{gd} − W‖_F of W_{32}W_{21}'/"
