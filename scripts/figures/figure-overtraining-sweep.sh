#!/usr/bin/env bash
# The overtraining diagram: the smallest test loss over training, min_test_loss, of gradient flow
# on teacher–student tasks, over the number of training samples N × the label noise σ.
#
# Each task is `linflow datasets teacher` (n = 20 inputs, m = 5 outputs, a teacher of rank 5 with
# every singular value 2, x ~ N(0, I), y = W̄x + σε, 2000 test samples, seed 1; the same seed
# draws the same teacher, the same test inputs and the same first training rows for every N)
# and `linflow simulate` of a 20-20-5 network from a small random start (σ0 = 10⁻³, seed 1) to
# t = 200 with `--test`, its test loss at 201 rows. The grid, N ∈ {10, 15, 20, 25, 30, 40, 60, 80}
# (α = N/n from ½ to 4) × σ ∈ {0.1, 0.25, 0.5, 0.75, 1, 1.5}, is one sweep (the data and test files
# zipped), run by `linflow sweep run` and collected by `linflow sweep collect`, whose
# min_test_loss is drawn by `linflow plot --kind heatmap`. The summary is kept beside the
# picture, with the files' names replaced by N and σ.
#
#     scripts/figures/figure-overtraining-sweep.sh     → docs/figures/figure-overtraining-sweep.png
#     LINFLOW=.build/debug/linflow scripts/figures/figure-overtraining-sweep.sh    (without a release build)
source "$(dirname "$0")/common.sh"

data=() tests=()
for N in 10 15 20 25 30 40 60 80; do
    for noise in 0.1 0.25 0.5 0.75 1 1.5; do
        linflow datasets teacher --input-dim 20 --output-dim 5 --rank 5 --scale 2 --noise "$noise" \
            --train-samples "$N" --test-samples 2000 --seed 1 -o "$WORK/task-$N-$noise.csv" 2>/dev/null
        data+=("$WORK/task-$N-$noise.csv") tests+=("$WORK/task-$N-$noise-test.csv")
    done
done
join() { local IFS=,; echo "$*"; }

sweep="$WORK/overtraining"
linflow sweep plan "$sweep" --zip "data=$(join "${data[@]}"),test=$(join "${tests[@]}")" \
    -- simulate --outputs 5 --hidden 20 --init-scale 1e-3 --seed 1 --t-end 200 --samples 200 --diagnostics none --weights none
linflow sweep run "$sweep"
linflow sweep collect "$sweep" -o "$WORK/summary.csv"

# The data and test columns hold the task files' paths, task-N-σ.csv: N and σ instead.
awk -F, -v OFS=, 'NR == 1 { $2 = "samples"; $3 = "noise"; print; next }
    { n = split($2, part, "-"); sub(/\.csv$/, "", part[n]); $2 = part[n - 1]; $3 = part[n]; print }' \
    "$WORK/summary.csv" >"$WORK/named.csv"
cp "$WORK/named.csv" "$FIGURES/figure-overtraining-sweep.csv"

linflow plot "$WORK/named.csv" --kind heatmap --x samples --y noise --z min_test_loss --size 1000,700 \
    --x-label 'training samples N (n = 20 inputs)' --y-label 'label noise σ' \
    --title 'Smallest test loss over training, 20-20-5 network on a rank-5 teacher (min_test_loss)' \
    -o "$WORK/figure-overtraining-sweep.png"
mv "$WORK/figure-overtraining-sweep.png" "$FIGURES/figure-overtraining-sweep.png"
