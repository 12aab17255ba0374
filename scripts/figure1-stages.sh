#!/usr/bin/env bash
# Figure 1: stage-like learning on Saxe et al.'s hierarchical dataset.
#
# An 8-16-15 network started near zero (σ = 0.001) learns the eight modes of the dataset one
# after another, strongest first: each singular value of the end-to-end map W32·W21 sits near
# zero, rises along a sigmoid to its target and stays there. Draws sv_1…sv_8 (or the mode_*
# columns, if simulate writes them) and, where `linflow analytic` exists, overlays its closed
# form as dashed lines.
#
#     scripts/figure1-stages.sh        → docs/figures/figure1-stages.png
source "$(dirname "$0")/lib.sh"

run=(--dataset hierarchy --t-end 80 --samples 400)
linflow simulate "${run[@]}" --hidden 16 --init-scale 1e-3 --seed 1 --diagnostics sv \
    -o "$WORK/simulated.csv"
inputs=("$WORK/simulated.csv")
labels=(--label simulated)

if has_subcommand analytic; then
    # The closed form for the same dataset, horizon and initial scale.
    linflow analytic "${run[@]}" --init-scale 1e-3 -o "$WORK/analytic.csv"
    inputs+=("$WORK/analytic.csv")
    labels+=(--label "closed form")
fi

linflow plot "${inputs[@]}" "${labels[@]}" --kind modes \
    --title "Stage-like learning: 8-16-15 network on the hierarchical dataset, σ = 0.001" \
    --out "$FIGURES/figure1-stages.png"
