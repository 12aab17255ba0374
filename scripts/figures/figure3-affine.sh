#!/usr/bin/env bash
# Figure 3: the first seed's affine network converges to least squares.
#
# The 2-2-1 network with biases, ŷ = W32(W21x + b21) + b32, on the seed's four samples
# (--dataset seed-affine --bias --hidden 2), integrated by `linflow simulate` from a random
# Gaussian start (σ = 0.3, seed 1). The least-squares fit z ≈ w0 + w1x1 + w2x2 and its loss
# floor L* come from `linflow stats` on the same data with a column of ones appended as a third
# input, independently of the flow.
# Above: L − L* on a log axis (slow while W32·W21 is small, then exponential).
# Below: the coefficients of the network's effective map, w0 = W32·b21 + b32 and
# (w1, w2) = W32·W21, with the least-squares values dashed.
#
#     scripts/figures/figure3-affine.sh        → docs/figures/figure3-affine.png
source "$(dirname "$0")/common.sh"

linflow simulate --dataset seed-affine --bias --hidden 2 --init-scale 0.3 --seed 1 \
    --t-end 30 --samples 300 --diagnostics none -o "$WORK/affine.csv"

linflow datasets seed-affine | awk -F, -v OFS=, '{ print $1, $2, (NR == 1 ? "one" : 1), $3 }' >"$WORK/ones.csv"
linflow stats --data "$WORK/ones.csv" --outputs 1 >"$WORK/stats.txt"
floor=$(sed -n 's/^loss floor .* = \([^ ]*\)$/\1/p' "$WORK/stats.txt")
read -r w1 w2 w0 < <(sed -n '/^least-squares map/{n;p;}' "$WORK/stats.txt")
[[ -n "$floor" && -n "$w0" ]] || { echo "figure3-affine.sh: cannot read linflow stats" >&2; exit 1; }

# The effective map from the weight columns, and its distance to least squares.
awk -F, -v OFS=, -v OFMT=%.17g -v floor="$floor" -v a0="$w0" -v a1="$w1" -v a2="$w2" '
    function abs(x) { return x < 0 ? -x : x }
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
              print "t", "loss_excess", "gap_w0", "gap_w1", "gap_w2", "w0", "w1", "w2"; next }
    { v1 = $c["W32_1_1"]; v2 = $c["W32_1_2"]
      w0 = v1 * $c["b21_1"] + v2 * $c["b21_2"] + $c["b32_1"]
      w1 = v1 * $c["W21_1_1"] + v2 * $c["W21_2_1"]
      w2 = v1 * $c["W21_1_2"] + v2 * $c["W21_2_2"]
      print $c["t"], $c["loss"] - floor, abs(w0 - a0), abs(w1 - a1), abs(w2 - a2), w0, w1, w2 }
' "$WORK/affine.csv" >"$WORK/effective.csv"

# --kind compare puts loss_* above gap_* with matching colours; the edit draws the coefficients
# themselves (not their gaps) on a linear axis below, adds the least-squares values and names
# the legend entries, each panel's legend inside it where no curve runs (top right above the
# falling loss; between the converged coefficients).
linflow plot "$WORK/effective.csv" --kind compare --columns 'loss_excess,gap_w?' --size 1000,800 \
    --title "The first seed's 2-2-1 affine network converges to least squares (random start σ = 0.3)" \
    --script "$WORK/figure3.gp"
dashed() { echo "$1 with lines lw 1.5 lc rgb '$2' dt 2 title 'least squares: $3 = ${1/-/−}'"; }
restyle "$WORK/figure3.gp" figure3-affine.png \
    -e "s/\"loss_excess\" \\(.*\\) title columnheader/\"loss_excess\" \\1 title 'L − L*,  L* = $(printf %.6g "$floor")'/" \
    -e "/^# Panel 2/,/^unset multiplot/{" \
    -e 's/^set logscale y$/unset logscale y/' \
    -e "s/^set format y .*/set format y '% g'/" \
    -e "s/\"gap_w\\([0-2]\\)\"/\"w\\1\"/" \
    -e '}' \
    -e "s/\"w0\" \\(.*lc rgb '\\([^']*\\)'.*\\) title columnheader, /\"w0\" \\1 title 'w0 = W32·b21 + b32', \\\\\\n    $(dashed "$w0" '\2' w0), /" \
    -e "s/\"w1\" \\(.*lc rgb '\\([^']*\\)'.*\\) title columnheader, /\"w1\" \\1 title 'w1 = (W32·W21)₁', \\\\\\n    $(dashed "$w1" '\2' w1), /" \
    -e "s/\"w2\" \\(.*lc rgb '\\([^']*\\)'.*\\) title columnheader$/\"w2\" \\1 title 'w2 = (W32·W21)₂', \\\\\\n    $(dashed "$w2" '\2' w2)/" \
    -e "s/^set ylabel 'loss'/set ylabel 'loss above the floor, L − L*'/" \
    -e "s/^set ylabel 'gap'/set ylabel 'effective map ŷ = w0 + w1 x1 + w2 x2'/" \
    -e 's/^set key outside right top noenhanced/set key inside right top noenhanced Left reverse width -5/' \
    -e 's/^# Panel 2.*/&\nset key at graph 0.98, graph 0.42 right center/' \
    -e 's/^set rmargin at screen .*/set rmargin 4/'
