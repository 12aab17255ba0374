#!/usr/bin/env python3
"""Baseline: full-batch gradient descent W_l ← W_l − η ∂L/∂W_l in a plain numpy loop, with the
loss L = ½(tr Σ33 − 2⟨W, Σ31⟩ + ⟨W Σ11, W⟩) checked every step, as a user would write it.

Usage: descend_numpy.py problem.json out.npy — prints "compute_seconds S steps K" on stderr."""
import sys
import time
import numpy as np
from common import load

sizes, s11, s31, t33, W, p = load(sys.argv[1])
eta, steps = p["lr"], p["steps"]
start = time.perf_counter()
for k in range(steps):
    P = [W[0]]
    for w in W[1:]:
        P.append(w @ P[-1])
    Q = s31 - P[-1] @ s11
    new = list(W)
    for l in range(len(W) - 1, -1, -1):
        new[l] = W[l] + eta * (Q @ P[l - 1].T if l > 0 else Q)
        if l > 0:
            Q = W[l].T @ Q
    W = new
    e2e = W[0]
    for w in W[1:]:
        e2e = w @ e2e
    loss = 0.5 * (t33 - 2 * np.sum(e2e * s31) + np.sum((e2e @ s11) * e2e))
    if not np.isfinite(loss):
        sys.exit(f"descend_numpy: diverged at step {k + 1}")
secs = time.perf_counter() - start
np.save(sys.argv[2], np.concatenate([w.ravel() for w in W]))
print(f"compute_seconds {secs:.6f} steps {steps} loss {loss:.17g}", file=sys.stderr)
