#!/usr/bin/env bash
# Figure: from rich to lazy learning by per-layer learning rates (Kunin et al. 2024).
#
# An 8-8-15 network on Saxe et al.'s hierarchical dataset from one random start (σ = 0.3, seed 1),
# trained by gradient flow with rates r1 (W21) and r2 (W32) at a fixed product r1·r2 = 1, so that
# only their ratio changes. Left: the loss for five ratios. Right: the kernel distance at t = 80
# between the start's tangent kernel and the end's — the kernel of the dynamics,
# K = r1 J1J1ᵀ + r2 J2J2ᵀ — against r2/r1. Near r2/r1 = 1 the network learns rich (the kernel
# turns by ~0.3); a fast output layer (r2/r1 ≫ 1) fits the task on W21's fixed features and a
# fast input layer (r2/r1 ≪ 1) on W32's: both lazy, as large |λ| is in figure-lazy-rich.png.
#
#     scripts/figures/figure-rates-lazy-rich.sh      → docs/figures/figure-rates-lazy-rich.png
source "$(dirname "$0")/common.sh"

run=(--dataset hierarchy --hidden 8 --init random --init-scale 0.3 --seed 1 --t-end 80 --samples 400
     --kernel-distance --diagnostics none --weights none)
ratios=(0.00390625 0.015625 0.0625 0.25 1 4 16 64 256)
curves=(0.015625 0.25 1 4 64)
: >"$WORK/final.dat"
for q in "${ratios[@]}"; do
    # r1 = q^(−1/2), r2 = q^(1/2): product 1, ratio q (powers of 4, so both are exact).
    rates=$(awk -v q="$q" 'BEGIN { printf "%.17g,%.17g", 1 / sqrt(q), sqrt(q) }')
    linflow simulate "${run[@]}" --layer-rates "$rates" -o "$WORK/ratio_$q.csv" 2>/dev/null
    printf '%s %s\n' "$q" "$(tail -n 1 "$WORK/ratio_$q.csv" | awk -F, '{print $NF}')" >>"$WORK/final.dat"
done

kernel_distance_figure figure-rates-lazy-rich.png \
    'Rich and lazy by layer rates: 8-8-15 network, hierarchical data, random start σ = 0.3, r_1 r_2 = 1' \
    'r_2/r_1  (r_1 r_2 = 1)' \
    "set logscale x 4
set xtics ('1/256' 0.00390625, '1/64' 0.015625, '1/16' 0.0625, '1/4' 0.25, '1' 1, '4' 4, '16' 16, '64' 64, '256' 256)" \
    ratio r_2/r_1 "${curves[@]}"
