#!/usr/bin/env bash
# Figure: from rich to lazy learning as the balance λ of the start grows (Dominé et al. 2024).
#
# An 8-8-15 network on Saxe et al.'s hierarchical dataset from λ-balanced starts,
# W32ᵀW32 − W21W21ᵀ = λI, whose free layer (W21 for λ > 0, W32 for λ < 0) is Gaussian with
# σ = 0.01 (seed 1). Every run is `linflow analytic`'s exact solution (the Riccati form with F_λ).
# Left: the loss. At λ = 0 it falls in stages, one level of the tree after another (rich). For
# λ < 0 (W21 the large layer; inputs = hidden = 8, so the tangent kernel is full rank) it falls the
# sooner and the more like one exponential per mode, the larger |λ|: lazy. For λ > 0 (W32 the
# large layer, 8 columns for 15 outputs) the kernel cannot fit the task, W32 must turn, and it
# turns slower the larger λ. Right: the kernel distance at t = 80, 1 − cos(K₀, K_T) of the full
# tangent kernel on the eight items: 0.31 at λ = 0, towards 0 as λ → −∞, a bump for λ > 0.
#
#     scripts/figures/figure-lazy-rich.sh      → docs/figures/figure-lazy-rich.png
source "$(dirname "$0")/common.sh"

run=(--dataset hierarchy --hidden 8 --init lambda-balanced --init-scale 0.01 --seed 1
     --t-end 80 --samples 400 --kernel-distance --diagnostics none --no-check)

curves=(-4 -1 -0.25 0 0.25 1 4)
grid=(-16 -8 -4 -2 -1 -0.5 -0.25 -0.1 0 0.1 0.25 0.5 1 2 4 8 16)
: >"$WORK/final.dat"
for lambda in "${grid[@]}"; do
    csv="$WORK/lambda_$lambda.csv"
    linflow analytic "${run[@]}" --lambda "$lambda" -o "$csv" 2>/dev/null
    # λ and the last row's kernel_distance (the last column).
    printf '%s %s\n' "$lambda" "$(tail -n 1 "$csv" | awk -F, '{print $NF}')" >>"$WORK/final.dat"
done

kernel_distance_figure figure-lazy-rich.png \
    'From rich to lazy learning: 8-8-15 network on the hierarchical dataset, λ-balanced starts (σ = 0.01, exact solution)' \
    'λ  (W_{32}^T W_{32} − W_{21} W_{21}^T = λ I)' '' lambda λ "${curves[@]}"
