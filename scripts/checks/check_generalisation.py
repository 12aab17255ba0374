#!/usr/bin/env python3
"""Monte Carlo check of `linflow theory` (docs/theory-generalisation.md) against simulated
teacher-student tasks, drawn and trained here with numpy and scipy alone.

Each task: a teacher W = U diag(s) V^T with random orthonormal frames, inputs x ~ N(0, I_n),
targets y = W x + noise (sigma per output), N = alpha n training samples, a start of i.i.d.
N(0, sigma0^2) entries. Losses as linflow's: train 1/(2N) sum ||y - f(x)||^2, test the same over
fresh samples, which for a linear map f(x) = M x is (||M - W||_F^2 + m sigma^2)/2 exactly.

- one layer, Gaussian inputs: the flow dM/dt = S31 - M S11 solved exactly in the eigenbasis of
  S11 (each column e^{-lambda t} towards its least-squares value);
- two layers, whitened training inputs (X X^T = N I): the flow of W32, W21 integrated by scipy's
  RK45 (rtol 1e-8).

For every row of linflow's table the mean over seeds is compared with the theory; the deviation
is printed in units of its standard error (the seeds' standard deviation / sqrt(seeds)) and
relative to the loss. The one-layer theory is exact in the limit (its finite-size bias is
O(1/n)) and must stay within 4 standard errors everywhere; the two-layer theory neglects what the
bulk's modes carry of the teacher and the modes' coupling through a random start (the papers'
approximations), and its deviations are reported and must stay within 6% of the loss at t = 0.

usage: python3 scripts/checks/check_generalisation.py [--quick] [--one-layer | --two-layer] [path/to/linflow]
(--quick: n = 100 and 200 for one layer, 100 for two; --one-layer, --two-layer: that part alone)
(default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import csv
import io
import os
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

FLAGS = {"--quick", "--one-layer", "--two-layer"}
ARGS = [a for a in sys.argv[1:] if a not in FLAGS]
QUICK = "--quick" in sys.argv[1:]
PARTS = [p for p in ("one", "two") if f"--{p}-layer" in sys.argv[1:]] or ["one", "two"]
LINFLOW = locate(ARGS[0] if ARGS else None)


def theory(n, m, N, s, noise, depth, init, t_end, samples, hidden=None):
    args = ["theory", "--input-dim", str(n), "--output-dim", str(m), "--train-samples", str(N),
            "--singular-values", ",".join(map(str, s)), "--noise", str(noise), "--depth", str(depth),
            "--init-scale", str(init), "--t-end", str(t_end), "--samples", str(samples)]
    if hidden:
        args += ["--hidden", str(hidden)]
    r = subprocess.run([LINFLOW] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"linflow {' '.join(args)} failed: {r.stderr}")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    return (np.array([float(x["t"]) for x in rows]), np.array([float(x["loss"]) for x in rows]),
            np.array([float(x["test_loss"]) for x in rows]))


def frames(rng, m, n, r):
    u, _ = np.linalg.qr(rng.standard_normal((m, r)))
    v, _ = np.linalg.qr(rng.standard_normal((n, r)))
    return u, v


def teacher(rng, m, n, s):
    u, v = frames(rng, m, n, len(s))
    return u @ np.diag(s) @ v.T


def one_layer_run(rng, n, m, N, s, noise, init, times):
    """Train and test loss of the exact one-layer flow on one drawn task."""
    wbar = teacher(rng, m, n, s)
    x = rng.standard_normal((n, N))
    y = wbar @ x + noise * rng.standard_normal((m, N))
    s11, s31, s33 = x @ x.T / N, y @ x.T / N, np.sum(y * y) / N
    lam, o = np.linalg.eigh(s11)
    lam = np.maximum(lam, 0.0)
    b = s31 @ o                              # columns: each eigen-direction's drive
    m0 = (init * rng.standard_normal((m, n))) @ o
    train, test = [], []
    for t in times:
        decay = np.exp(-lam * t)
        # (1 - e^{-lambda t})/lambda, = t at lambda = 0
        grow = np.where(lam > 1e-300, -np.expm1(-lam * t) / np.where(lam > 1e-300, lam, 1.0), t)
        mt = (m0 * decay + b * grow) @ o.T
        train.append(0.5 * (s33 - 2 * np.sum(mt * s31) + np.sum((mt @ s11) * mt)))
        test.append(0.5 * (np.sum((mt - wbar) ** 2) + m * noise ** 2))
    return np.array(train), np.array(test)


def two_layer_run(rng, n, m, N, h, s, noise, init, times):
    """Train and test loss of the two-layer flow on one drawn task with whitened inputs."""
    wbar = teacher(rng, m, n, s)
    q, _ = np.linalg.qr(rng.standard_normal((N, n)))
    x = np.sqrt(N) * q.T                     # X X^T = N I_n
    y = wbar @ x + noise * rng.standard_normal((m, N))
    s31, s33 = y @ x.T / N, np.sum(y * y) / N
    w21 = init * rng.standard_normal((h, n))
    w32 = init * rng.standard_normal((m, h))
    split = h * n

    def rhs(_, th):
        a, b = th[:split].reshape(h, n), th[split:].reshape(m, h)
        e = s31 - b @ a
        return np.concatenate([(b.T @ e).ravel(), (e @ a.T).ravel()])

    sol = solve_ivp(rhs, (0, times[-1]), np.concatenate([w21.ravel(), w32.ravel()]), method="RK45",
                    t_eval=times, rtol=1e-8, atol=1e-12)
    if not sol.success:
        raise SystemExit(f"scipy: {sol.message}")
    train, test = [], []
    for k in range(len(times)):
        mt = sol.y[split:, k].reshape(m, h) @ sol.y[:split, k].reshape(h, n)
        train.append(0.5 * (s33 - 2 * np.sum(mt * s31) + np.sum(mt * mt)))
        test.append(0.5 * (np.sum((mt - wbar) ** 2) + m * noise ** 2))
    return np.array(train), np.array(test)


def compare(label, predicted, runs):
    """Largest |mean - theory| over the rows after the first (where the start is drawn, not
    learnt), in standard errors and relative to the loss at t = 0 (the train loss falls to 0
    below one sample per input, where a deviation relative to it would mean nothing)."""
    worst = {}
    for name, p, sims in zip(("loss", "test_loss"), predicted, zip(*runs)):
        sims = np.array(sims)
        mean, se = sims.mean(0), sims.std(0, ddof=1) / np.sqrt(len(sims))
        z = (np.abs(mean - p) / np.maximum(se, 1e-300))[1:]
        rel = (np.abs(mean - p) / p[0])[1:]
        worst[name] = (z.max(), rel.max())
        print(f"  {label:38s} {name:9s}: max |mean - theory| = {z.max():5.2f} standard errors, "
              f"{100 * rel.max():.2f}% of the loss at t = 0")
    return worst


def main():
    # One generator per part, so that each part gives the same numbers alone (--one-layer,
    # --two-layer) as in the whole check.
    rng = np.random.default_rng(20201)
    failures = []
    sizes = [100, 200] if QUICK else [100, 200, 400]
    if "one" in PARTS:
        print("one layer (Gaussian inputs, exact flow): m = n/10, teacher s = 3,2, noise 1, sigma0 = 0.01")
    for n in (sizes if "one" in PARTS else []):
        m = n // 10
        for alpha in (0.5, 1.0, 2.0, 4.0):
            N = int(alpha * n)
            seeds = 40 if n <= 200 else 20
            t, tr, te = theory(n, m, N, [3, 2], 1.0, 1, 0.01, 40, 20)
            runs = [one_layer_run(rng, n, m, N, [3, 2], 1.0, 0.01, t) for _ in range(seeds)]
            worst = compare(f"n = {n}, alpha = {alpha}, {seeds} seeds", (tr, te), runs)
            if max(w[0] for w in worst.values()) > 4:
                failures.append(f"one layer n = {n} alpha = {alpha}")
    if "two" in PARTS:
        print("two layers (whitened inputs, RK45): m = n/2, h = n, teacher s = 3,2, noise 1, sigma0 = 0.001")
    rng = np.random.default_rng(20202)
    for n in (([100] if QUICK else [100, 200]) if "two" in PARTS else []):
        m, h = n // 2, n
        for alpha in (1.0, 2.0, 4.0):
            N = int(alpha * n)
            seeds = 8 if n <= 100 else 3
            t, tr, te = theory(n, m, N, [3, 2], 1.0, 2, 0.001, 40, 20, hidden=h)
            runs = [two_layer_run(rng, n, m, N, h, [3, 2], 1.0, 0.001, t) for _ in range(seeds)]
            worst = compare(f"n = {n}, alpha = {alpha}, {seeds} seeds", (tr, te), runs)
            if max(w[1] for w in worst.values()) > 0.06:
                failures.append(f"two layers n = {n} alpha = {alpha}")
    if failures:
        raise SystemExit("theory and simulation disagree: " + "; ".join(failures))
    print("ok: " + "; ".join({"one": "the one-layer theory is within 4 standard errors of the simulated mean at every row",
                              "two": "the two-layer theory within 6% of the loss at t = 0"}[p] for p in PARTS))


if __name__ == "__main__":
    main()
