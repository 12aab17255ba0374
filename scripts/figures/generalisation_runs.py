#!/usr/bin/env python3
"""The runs behind the generalisation figures (scripts/figures/figure-generalisation.sh):
teacher-student tasks drawn here with numpy, trained by `linflow simulate`, against
`linflow theory`.

A task: n = 100 inputs, m = 10 outputs, a teacher W = U diag(3, 2) V^T (random orthonormal
frames), inputs x ~ N(0, I), targets y = W x + noise of standard deviation 1 per output, and
N = alpha n training samples. `linflow simulate --layers 100,10 --init random --init-scale 0.01`
(one layer) trains on them to t = 20 (rows every 0.05); its `loss` is the train loss and, from its weights M at each
row, the test loss is (||M - W||_F^2 + m)/2, the exact expectation over fresh samples. Eight
seeds per alpha (data, teacher and start all change with the seed).

    python3 scripts/figures/generalisation_runs.py DIR     writes into DIR:
        sim-ALPHA.csv, theory-ALPHA.csv   t, loss, test_loss (the seeds' mean; the theory)
        stopping.csv                      per alpha: the early-stopping time and test loss of the
                                          mean simulated curve and of the theory, and the late one
    and prints the deviations the captions quote.
(linflow: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import csv
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

N_IN, M_OUT, S, NOISE, INIT, T_END, INTERVALS, SEEDS = 100, 10, (3.0, 2.0), 1.0, 0.01, 20, 400, 8
CURVES = (0.5, 1.0, 2.0, 4.0)
STOPPING = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)


def run(exe, args, cwd):
    r = subprocess.run([exe] + args, capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        raise SystemExit(f"linflow {' '.join(args)} failed: {r.stderr}")


def table(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return rows


def simulated(exe, work, alpha, seed):
    """(t, train loss, test loss) of one seed's run."""
    rng = np.random.default_rng(1000 * seed + int(round(100 * alpha)))
    N = int(round(alpha * N_IN))
    u, _ = np.linalg.qr(rng.standard_normal((M_OUT, len(S))))
    v, _ = np.linalg.qr(rng.standard_normal((N_IN, len(S))))
    wbar = u @ np.diag(S) @ v.T
    x = rng.standard_normal((N, N_IN))
    y = x @ wbar.T + NOISE * rng.standard_normal((N, M_OUT))
    data = os.path.join(work, "task.csv")
    header = ",".join([f"x{i + 1}" for i in range(N_IN)] + [f"y{i + 1}" for i in range(M_OUT)])
    np.savetxt(data, np.hstack([x, y]), delimiter=",", header=header, comments="", fmt="%.17g")
    run(exe, ["simulate", "--data", data, "--outputs", str(M_OUT), "--layers", f"{N_IN},{M_OUT}", "--init", "random",
              "--init-scale", str(INIT), "--seed", str(seed), "--t-end", str(T_END), "--samples", str(INTERVALS),
              "--diagnostics", "none", "-o", "run.csv"], work)
    rows = table(os.path.join(work, "run.csv"))
    names = [f"W21_{r + 1}_{c + 1}" for r in range(M_OUT) for c in range(N_IN)]
    t = np.array([float(r["t"]) for r in rows])
    train = np.array([float(r["loss"]) for r in rows])
    test = np.array([0.5 * (np.sum((np.array([float(r[k]) for k in names]).reshape(M_OUT, N_IN) - wbar) ** 2)
                            + M_OUT * NOISE ** 2) for r in rows])
    return t, train, test


def theory(exe, work, alpha):
    run(exe, ["theory", "--depth", "1", "--input-dim", str(N_IN), "--output-dim", str(M_OUT),
              "--train-samples", str(int(round(alpha * N_IN))), "--singular-values", ",".join(map(str, S)),
              "--noise", str(NOISE), "--init-scale", str(INIT), "--t-end", str(T_END), "--samples", str(INTERVALS),
              "-o", "theory.csv"], work)
    rows = table(os.path.join(work, "theory.csv"))
    return tuple(np.array([float(r[k]) for r in rows]) for k in ("t", "loss", "test_loss"))


def write(path, t, train, test):
    with open(path, "w") as f:
        f.write("t,loss,test_loss\n")
        for row in zip(t, train, test):
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def main():
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    exe = locate(sys.argv[2] if len(sys.argv) > 2 else None)
    work = os.path.join(out, "work")
    os.makedirs(work, exist_ok=True)
    worst_z, worst_rel = 0.0, 0.0
    with open(os.path.join(out, "stopping.csv"), "w") as f:
        f.write("alpha,t_stop_theory,test_stop_theory,t_stop_sim,test_stop_sim,test_late_theory,test_late_sim\n")
        for alpha in sorted(set(CURVES + STOPPING)):
            runs = [simulated(exe, work, alpha, seed) for seed in range(1, SEEDS + 1)]
            t = runs[0][0]
            train = np.array([r[1] for r in runs])
            test = np.array([r[2] for r in runs])
            tt, ttrain, ttest = theory(exe, work, alpha)
            if not np.array_equal(t, tt):
                raise SystemExit("the simulated and the theory's rows are at different times")
            mean_train, mean_test = train.mean(0), test.mean(0)
            if alpha in CURVES:
                write(os.path.join(out, f"sim-{alpha:g}.csv"), t, mean_train, mean_test)
                write(os.path.join(out, f"theory-{alpha:g}.csv"), t, ttrain, ttest)
                for sims, pred in ((train, ttrain), (test, ttest)):
                    se = sims.std(0, ddof=1) / np.sqrt(SEEDS)
                    worst_z = max(worst_z, float(np.max(np.abs(sims.mean(0) - pred)[1:] / se[1:])))
                    # Relative to the loss at t = 0: the train loss falls to 0 below α = 1.
                    worst_rel = max(worst_rel, float(np.max(np.abs(sims.mean(0) - pred)[1:]) / pred[0]))
            i, j = int(np.argmin(ttest)), int(np.argmin(mean_test))
            f.write(f"{alpha},{t[i]},{ttest[i]},{t[j]},{mean_test[j]},{ttest[-1]},{mean_test[-1]}\n")
    rows = table(os.path.join(out, "stopping.csv"))
    stop_rel = max(abs(float(r["test_stop_sim"]) / float(r["test_stop_theory"]) - 1) for r in rows)
    late_rel = max(abs(float(r["test_late_sim"]) / float(r["test_late_theory"]) - 1) for r in rows)
    print(f"curves: largest |simulated mean - theory| = {worst_z:.2f} standard errors, {100 * worst_rel:.2f}% of the loss at t = 0")
    print(f"early stopping: test loss at the stopping time within {100 * stop_rel:.2f}% of the theory's, "
          f"at t = {T_END} within {100 * late_rel:.2f}%")
    for r in rows:
        print(f"alpha {float(r['alpha']):g}: stop at t = {float(r['t_stop_theory']):.3g} (theory), "
              f"{float(r['t_stop_sim']):.3g} (simulated); test loss there {float(r['test_stop_theory']):.4g}, "
              f"{float(r['test_stop_sim']):.4g}; at t = {T_END}: {float(r['test_late_theory']):.4g}, {float(r['test_late_sim']):.4g}")


if __name__ == "__main__":
    main()
