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
