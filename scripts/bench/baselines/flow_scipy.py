#!/usr/bin/env python3
"""Baseline: gradient flow of a deep linear chain with scipy's solve_ivp(method="RK45") and
numpy, as a researcher would write it in a notebook.

    dW_l/dt = (W_L…W_{l+1})ᵀ (Σ31 − W Σ11) (W_{l−1}…W_1)ᵀ,   W = W_L…W_1

Usage: flow_scipy.py problem.json out.npy  — prints "compute_seconds S rhs N" on stderr."""
import sys
import time
import numpy as np
from scipy.integrate import solve_ivp
from common import load, flow_rhs

sizes, s11, s31, t33, ws, p = load(sys.argv[1])
rhs, counter = flow_rhs(sizes, s11, s31)


theta0 = np.concatenate([w.ravel() for w in ws])
times = np.array(p["times"])
start = time.perf_counter()
sol = solve_ivp(rhs, (0.0, times[-1]), theta0, method="RK45", t_eval=times,
                rtol=p["rtol"], atol=p["atol"], first_step=p["h0"])
secs = time.perf_counter() - start
if not sol.success:
    sys.exit(f"flow_scipy: {sol.message}")
np.save(sys.argv[2], sol.y.T)
print(f"compute_seconds {secs:.6f} rhs {counter[0]} steps {sol.nfev // 6}", file=sys.stderr)
