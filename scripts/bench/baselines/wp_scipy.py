#!/usr/bin/env python3
"""Work-precision worker: scipy's solve_ivp on the gradient flow of a deep linear chain,
over a list of methods and tolerances, each solve timed alone (best of --runs).

    wp_scipy.py problem.json out.npz --methods RK45,DOP853,LSODA --rtols 1e-4,...
                [--runs 3] [--budget 60] [--atol-ratio 1e-2]

The RHS is flow_scipy.py's (numpy, same evaluation order as linflow). Writes, per
method and rtol, the final weights and "seconds nfev" into out.npz; a method whose solve
took longer than --budget seconds is not run at tighter tolerances (recorded as skipped)."""
import json
import time
import numpy as np
from scipy.integrate import solve_ivp
from common import load, flow_rhs, work_precision_args

a = work_precision_args(__doc__, "RK45,DOP853,LSODA")
sizes, s11, s31, t33, ws, p = load(a.problem)
rhs, counter = flow_rhs(sizes, s11, s31)
theta0 = np.concatenate([w.ravel() for w in ws])
T = p["times"][-1]
out, meta = {}, {}
for method in a.methods.split(","):
    for rtol in [float(r) for r in a.rtols.split(",")]:
        key = f"{method}:{rtol:g}"
        best, spent, runs = float("inf"), 0.0, 0
        while runs < a.runs and (runs == 0 or spent < 3.0):
            start = time.perf_counter()
            sol = solve_ivp(rhs, (0.0, T), theta0, method=method, t_eval=[T], rtol=rtol,
                            atol=rtol * a.atol_ratio, first_step=p["h0"])
            secs = time.perf_counter() - start
            spent += secs
            runs += 1
            best = min(best, secs)
            if not sol.success:
                break
        if not sol.success:
            meta[key] = {"status": f"failed: {sol.message}"}
            print(f"wp_scipy: {key} failed: {sol.message}", flush=True)
            break
        out[key] = sol.y[:, -1]
        meta[key] = {"status": "ok", "seconds": best, "nfev": int(sol.nfev), "runs": runs}
        print(f"wp_scipy: {key} {best:.4f} s, {sol.nfev} RHS", flush=True)
        if best > a.budget:
            meta[f"{method}:skipped"] = {"status": f"tighter rtols skipped after {best:.0f} s > budget {a.budget:.0f} s"}
            break
np.savez(a.out, **out)
json.dump(meta, open(a.out + ".json", "w"), indent=1)
