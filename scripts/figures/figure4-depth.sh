#!/usr/bin/env bash
# Figure 4: deeper chains learn later and more abruptly.
#
# Three chains on the hierarchical dataset, 8-16-15, 8-16-16-15 and 8-16-16-16-15, all started
# from Gaussian weights of the same scale (σ = 0.05, seed 1). The first singular value of the
# end-to-end map W_L⋯W_1 rises to the same target, 3.87, in each; the more layers, the longer
# it waits and the steeper its rise.
#
#     scripts/figures/figure4-depth.sh         → docs/figures/figure4-depth.png
source "$(dirname "$0")/common.sh"

inputs=()
labels=()
for layers in 8,16,15 8,16,16,15 8,16,16,16,15; do
    depth=$(($(tr -cd , <<<"$layers" | wc -c)))
    csv="$WORK/depth-$depth.csv"
    linflow simulate --dataset hierarchy --layers "$layers" --init-scale 0.05 --seed 1 \
        --t-end 40 --samples 400 --diagnostics sv -o "$csv"
    inputs+=("$csv")
    labels+=(--label "$depth layers (${layers//,/-})")
done

linflow plot "${inputs[@]}" "${labels[@]}" --columns sv_1 \
    --y-label "first singular value of W_{L}⋯W_{1}" \
    --title "Deeper chains learn later and more abruptly (hierarchical dataset, σ = 0.05)" \
    --script "$WORK/figure4.gp"
# The edit puts the legend inside the plot, between the 3-layer and the 4-layer rise, where no
# curve runs.
restyle "$WORK/figure4.gp" figure4-depth.png \
    -e 's/^set key outside right top noenhanced/set key at first 13, first 2.2 left center noenhanced Left reverse samplen 2/'
