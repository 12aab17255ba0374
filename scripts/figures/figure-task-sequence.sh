#!/usr/bin/env bash
# Figure: a sequence of tasks A → B → A, forgetting and relearning (docs/modified-flows.md).
#
# A is Saxe et al.'s hierarchical dataset, B the same eight items with the fifteen properties in
# reverse order (same inputs, another Σ31). An 8-8-15 network from a zero-balanced start
# (--init lambda-balanced --lambda 0, σ = 0.01) trains on A until t = 30, on B until 60, and on
# A again until 90. Solid: `linflow simulate --then B.csv@30 --then A.csv@60`, its columns
# loss_task1 (A) and loss_task2 (B). Dashed: the closed form (Braun et al.'s Riccati solution),
# `linflow analytic --then B.csv@30 --then A.csv@60`, which restarts it at each switch from the
# state there; the imbalance is conserved, so each restart is exact. The losses of the closed
# form's weights on both tasks are computed here with numpy from the samples.
#
#     scripts/figures/figure-task-sequence.sh      → docs/figures/figure-task-sequence.png
source "$(dirname "$0")/common.sh"

cd "$WORK"
linflow datasets hierarchy -o A.csv
python3 - <<'PY'
import csv
rows = list(csv.reader(open("A.csv")))
csv.writer(open("B.csv", "w", newline="")).writerows([r[:8] + r[8:][::-1] for r in rows])
PY
start=(--outputs 15 --hidden 8 --init lambda-balanced --lambda 0 --init-scale 0.01 --seed 1 --diagnostics none)
linflow simulate --data A.csv "${start[@]}" --then B.csv@30 --then A.csv@60 --t-end 90 --samples 450 \
    --rtol 1e-10 --atol 1e-12 -o seq.csv 2>/dev/null
linflow analytic --data A.csv "${start[@]}" --then B.csv@30 --then A.csv@60 --t-end 90 --samples 450 \
    --no-check -o closed.csv 2>/dev/null
python3 - <<'PY'
import csv
import numpy as np
def samples(path):
    d = np.array([[float(v) for v in r] for r in list(csv.reader(open(path)))[1:]])
    return d[:, :8].T, d[:, 8:].T
tasks = [samples("A.csv"), samples("B.csv")]
def loss(w21, w32, task):
    x, y = task
    return 0.5 * np.sum((y - w32 @ w21 @ x) ** 2) / x.shape[1]
with open("closed.dat", "w") as out:
    rows = list(csv.reader(open("closed.csv")))
    h = rows[0]
    i21 = [h.index(f"W21_{r}_{c}") for r in range(1, 9) for c in range(1, 9)]
    i32 = [h.index(f"W32_{r}_{c}") for r in range(1, 16) for c in range(1, 9)]
    for r in rows[1:]:
        v = [float(s) for s in r]
        w21 = np.array([v[i] for i in i21]).reshape(8, 8)
        w32 = np.array([v[i] for i in i32]).reshape(15, 8)
        out.write(f"{v[0]},{loss(w21, w32, tasks[0])},{loss(w21, w32, tasks[1])}\n")
# The largest gap between the simulated and the closed-form losses at the simulated rows.
sim = list(csv.DictReader(open("seq.csv")))
closed = np.loadtxt("closed.dat", delimiter=",")
gap = 0.0
for r in sim:
    t = float(r["t"])
    k = np.argmin(np.abs(closed[:, 0] - t))
    if abs(closed[k, 0] - t) < 1e-9:
        gap = max(gap, abs(closed[k, 1] - float(r["loss_task1"])), abs(closed[k, 2] - float(r["loss_task2"])))
print(f"largest |simulated − closed-form| loss on either task: {gap:.2e}")
PY

cat >figure.gp <<GP
set terminal pngcairo size 900,560 font 'DejaVu Sans,11'
set output '$WORK/figure-task-sequence.png'
set title 'Tasks A → B → A: 8-8-15 network, zero-balanced start (σ = 0.01); solid flow, dashed closed form'
set xlabel 't'
set ylabel 'loss on each task'
set logscale y
set format y '10^{%T}'
set grid
set key bottom left
set arrow from 30, graph 0 to 30, graph 1 nohead dt 3 lc rgb '#666666'
set arrow from 60, graph 0 to 60, graph 1 nohead dt 3 lc rgb '#666666'
set datafile separator ','
plot 'seq.csv' using "t":"loss_task1" with lines lw 2 lc 1 title 'task A (loss\\_task1), flow', \
     'seq.csv' using "t":"loss_task2" with lines lw 2 lc 2 title 'task B (loss\\_task2), flow', \
     'closed.dat' using 1:2 with lines lw 2 dt 2 lc rgb 'black' title 'closed form (analytic --then)' noenhanced, \
     'closed.dat' using 1:3 with lines lw 2 dt 2 lc rgb 'black' notitle
GP
gnuplot figure.gp
mv "$WORK/figure-task-sequence.png" "$FIGURES/figure-task-sequence.png"
