"""Shared by the Python baselines: the problem files that scripts/bench prepares.

A problem is the data's correlations (computed here with numpy from the CSV, not timed as
compute), the chain's sizes, the start θ0 (row 0 of linflow's own trajectory, so every
implementation starts from the same bits) and the settings."""
import json
import numpy as np


def correlations(csv_path, outputs):
    """Σ11 = XᵀX/N, Σ31 = YᵀX/N, tr Σ33 from a numeric CSV with an optional header row."""
    with open(csv_path) as f:
        first = f.readline()
    skip = 0 if all(_isnum(c) for c in first.split(",")) else 1
    data = np.loadtxt(csv_path, delimiter=",", skiprows=skip, ndmin=2)
    x, y = data[:, :-outputs], data[:, -outputs:]
    n = len(data)
    return x.T @ x / n, y.T @ x / n, float((y * y).sum() / n)


def _isnum(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def load(problem_json):
    """The problem as (sizes, S11, S31, trS33, [W_1..W_L], settings dict)."""
    with open(problem_json) as f:
        p = json.load(f)
    s11 = np.load(p["sigma"])["s11"]
    s31 = np.load(p["sigma"])["s31"]
    t33 = float(np.load(p["sigma"])["t33"])
    theta = np.load(p["theta0"])
    return p["sizes"], s11, s31, t33, unflatten(theta, p["sizes"]), p


def unflatten(theta, sizes):
    ws, o = [], 0
    for l in range(1, len(sizes)):
        r, c = sizes[l], sizes[l - 1]
        ws.append(theta[o:o + r * c].reshape(r, c))
        o += r * c
    return ws


def flow_rhs(sizes, s11, s31, xp=np):
    """The gradient flow's right-hand side θ ↦ dθ/dt with numpy (or xp = jax.numpy, traced once
    under jit), in linflow's evaluation order: prefixes P_l = W_l…W_1, the error
    E = Σ31 − P_L Σ11, then back-propagation. Returns (rhs(t, θ), counter) where counter[0]
    counts the (Python-level) evaluations."""
    shapes = [(sizes[l], sizes[l - 1]) for l in range(1, len(sizes))]
    splits = np.cumsum([r * c for r, c in shapes])[:-1]
    counter = [0]

    def rhs(t, theta):
        counter[0] += 1
        W = [w.reshape(s) for w, s in zip(xp.split(theta, splits), shapes)]
        P = [W[0]]
        for w in W[1:]:
            P.append(w @ P[-1])
        Q = s31 - P[-1] @ s11
        grads = [None] * len(W)
        for l in range(len(W) - 1, -1, -1):
            grads[l] = Q @ P[l - 1].T if l > 0 else Q
            if l > 0:
                Q = W[l].T @ Q
        return xp.concatenate([g.ravel() for g in grads])
    return rhs, counter


def work_precision_args(doc, methods):
    """The command line the work-precision workers share (wp_scipy.py, wp_diffrax.py)."""
    import argparse
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("problem")
    ap.add_argument("out")
    ap.add_argument("--methods", default=methods)
    ap.add_argument("--rtols", default="1e-4,1e-6,1e-8,1e-10")
    ap.add_argument("--atol-ratio", type=float, default=1e-2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=60.0)
    return ap.parse_args()
