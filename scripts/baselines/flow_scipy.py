#!/usr/bin/env python3
"""Baseline: gradient flow of a deep linear chain with scipy's solve_ivp(method="RK45") and
numpy, as a researcher would write it in a notebook.

    dW_l/dt = (W_L…W_{l+1})ᵀ (Σ31 − W Σ11) (W_{l−1}…W_1)ᵀ,   W = W_L…W_1

Usage: flow_scipy.py problem.json out.npy  — prints "compute_seconds S rhs N" on stderr."""
import sys
import time
import numpy as np
from scipy.integrate import solve_ivp
from common import load

sizes, s11, s31, t33, ws, p = load(sys.argv[1])
shapes = [(sizes[l], sizes[l - 1]) for l in range(1, len(sizes))]
splits = np.cumsum([r * c for r, c in shapes])[:-1]
evals = 0


def rhs(t, theta):
    global evals
    evals += 1
    W = [w.reshape(s) for w, s in zip(np.split(theta, splits), shapes)]
    # Prefixes P_l = W_l…W_1, the error E = Σ31 − P_L Σ11, then back-propagate.
    P = [W[0]]
    for w in W[1:]:
        P.append(w @ P[-1])
    Q = s31 - P[-1] @ s11
    grads = [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        grads[l] = Q @ P[l - 1].T if l > 0 else Q
        if l > 0:
            Q = W[l].T @ Q
    return np.concatenate([g.ravel() for g in grads])


theta0 = np.concatenate([w.ravel() for w in ws])
times = np.array(p["times"])
start = time.perf_counter()
sol = solve_ivp(rhs, (0.0, times[-1]), theta0, method="RK45", t_eval=times,
                rtol=p["rtol"], atol=p["atol"], first_step=p["h0"])
secs = time.perf_counter() - start
if not sol.success:
    sys.exit(f"flow_scipy: {sol.message}")
np.save(sys.argv[2], sol.y.T)
print(f"compute_seconds {secs:.6f} rhs {evals} steps {sol.nfev // 6}", file=sys.stderr)
