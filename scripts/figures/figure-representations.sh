#!/usr/bin/env bash
# Figure: progressive differentiation (Saxe, McClelland & Ganguli 2019) in the hidden layer.
#
# An 8-16-15 network learns the hierarchical dataset by gradient flow from a small random start
# (σ = 0.001, seed 1; the run of figure 1). `linflow simulate --representations` writes each
# item's hidden representation W21 e_i and the representational similarity matrix, the Pearson
# correlation across the 16 hidden units between items' representations. At four times, between
# the stages of figure 1 (t½ = 13.7, 18.8, 28.5–29.8, 47–50), the RSM shows the tree being learnt
# from the top: first all items alike, then animals against plants, then the four pairs, and at
# last every item its own.
#
#     scripts/figures/figure-representations.sh → docs/figures/figure-representations.png
source "$(dirname "$0")/common.sh"

linflow simulate --dataset hierarchy --hidden 16 --init-scale 1e-3 --seed 1 --t-end 80 --samples 80 \
    --diagnostics none -o "$WORK/run.csv" --representations "$WORK/rep.csv" 2>/dev/null

times=(12 17 25 80)
for t in "${times[@]}"; do
    # The 8 × 8 RSM of layer 1 at t, as a whitespace matrix for gnuplot's `matrix with image`.
    awk -F, -v t="$t" '$1 == t".0" && $2 == 1 && $3 == "rsm" { m[$4, $5] = $6 }
        END { for (i = 1; i <= 8; i++) { row = ""; for (j = 1; j <= 8; j++) row = row (j > 1 ? " " : "") m[i, j]; print row } }' \
        "$WORK/rep.csv" >"$WORK/rsm-$t.dat"
done

items="goldfish tuna robin canary rose daisy pine oak"
{
    echo "set terminal pngcairo size 1400,460 font 'DejaVu Sans,10'"
    echo "set output '$WORK/figure-representations.png'"
    echo "set multiplot layout 1,4 title 'Progressive differentiation: RSM of the hidden representations W_{21}e_i, 8-16-15 network on the hierarchical dataset (σ = 0.001)' margins 0.06,0.91,0.22,0.83 spacing 0.02"
    echo "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')"
    echo "set cbrange [-1:1]"
    # One colour bar for the four panels (the same scale, -1 to 1), at the right edge.
    echo "set colorbox user origin screen 0.935,0.3 size screen 0.012,0.5"
    echo "set cbtics 0.5"
    echo "set cblabel 'Pearson correlation'"
    echo "set size ratio -1"
    echo "set xrange [-0.5:7.5]; set yrange [7.5:-0.5]"
    i=0; tics=""
    for name in $items; do tics+="${tics:+, }'$name' $i"; i=$((i + 1)); done
    echo "set xtics ($tics) rotate by 60 right"
    echo "set ytics ($tics)"
    for t in "${times[@]}"; do
        [[ $t == "${times[-1]}" ]] && echo "set colorbox" || echo "unset colorbox"
        echo "set title 't = $t'"
        echo "plot '$WORK/rsm-$t.dat' matrix with image notitle"
        echo "unset ytics"   # the items' names once, left of the first panel
    done
    echo "unset multiplot"
} >"$WORK/figure.gp"
gnuplot "$WORK/figure.gp"
mv "$WORK/figure-representations.png" "$FIGURES/figure-representations.png"
