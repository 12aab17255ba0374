#!/usr/bin/env python3
"""Work-precision worker: JAX + diffrax on the gradient flow of a deep linear chain, in
float64, XLA-compiled once per solver (rtol and atol are traced arguments, so changing them
does not recompile).

    wp_diffrax.py problem.json out.npz --methods Tsit5,Dopri5,Dopri8 --rtols 1e-4,...
                  [--runs 3] [--budget 60] [--atol-ratio 1e-2]

Each solve: diffeqsolve(ODETerm(f), solver, 0, T, dt0 = h0, y0, PIDController(rtol, atol)
[diffrax's RMS norm], SaveAt(t1=True), adjoint=ForwardMode() [a plain while loop, no
checkpointing], max_steps 10⁶). "compile" is the first call's time less the best of the
later calls at the same tolerance; "seconds" is the best later call, block_until_ready."""
import json
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
import diffrax
from common import load, flow_rhs, work_precision_args

a = work_precision_args(__doc__, "Tsit5,Dopri5,Dopri8")

sizes, s11, s31, t33, ws, p = load(a.problem)
S11, S31 = jnp.asarray(s11), jnp.asarray(s31)
T = float(p["times"][-1])
# dW_l/dt = (W_L…W_{l+1})ᵀ (Σ31 − W Σ11) (W_{l−1}…W_1)ᵀ, as flow_scipy.py evaluates it, in jax.numpy.
rhs, _ = flow_rhs(sizes, S11, S31, xp=jnp)


def field(t, theta, args):
    return rhs(t, theta)


def solver_fn(name):
    solver = getattr(diffrax, name)()

    @jax.jit
    def solve(y0, rtol, atol):
        sol = diffrax.diffeqsolve(diffrax.ODETerm(field), solver, 0.0, T, p["h0"], y0,
                                  saveat=diffrax.SaveAt(t1=True),
                                  stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                                  adjoint=diffrax.ForwardMode(), max_steps=1_000_000)
        return sol.ys[-1], sol.stats["num_steps"], sol.stats["num_accepted_steps"], sol.result._value
    return solve


theta0 = jnp.asarray(np.concatenate([w.ravel() for w in ws]))
out, meta = {}, {}
for method in a.methods.split(","):
    solve = solver_fn(method)
    first = None  # the first call's seconds (compile + solve), until the solve alone is known
    for rtol in [float(r) for r in a.rtols.split(",")]:
        key = f"{method}:{rtol:g}"
        args = (theta0, jnp.float64(rtol), jnp.float64(rtol * a.atol_ratio))
        compile_s = None
        if rtol == float(a.rtols.split(",")[0]):
            start = time.perf_counter()
            jax.block_until_ready(solve(*args))
            first = time.perf_counter() - start
        best, spent, runs = float("inf"), 0.0, 0
        while runs < a.runs and (runs == 0 or spent < 3.0):
            start = time.perf_counter()
            y, steps, accepted, result = jax.block_until_ready(solve(*args))
            secs = time.perf_counter() - start
            spent += secs
            runs += 1
            best = min(best, secs)
        if first is not None:
            compile_s, first = max(0.0, first - best), None
        if int(result) != 0:
            meta[key] = {"status": f"failed: diffrax result {int(result)}"}
            print(f"wp_diffrax: {key} failed ({int(result)})", flush=True)
            break
        out[key] = np.asarray(y)
        meta[key] = {"status": "ok", "seconds": best, "steps": int(steps), "accepted": int(accepted), "runs": runs,
                     **({"compile_seconds": compile_s} if compile_s is not None else {})}
        print(f"wp_diffrax: {key} {best:.4f} s, {int(steps)} steps"
              + (f", compile {compile_s:.2f} s" if compile_s is not None else ""), flush=True)
        if best > a.budget:
            meta[f"{method}:skipped"] = {"status": f"tighter rtols skipped after {best:.0f} s > budget {a.budget:.0f} s"}
            break
np.savez(a.out, **out)
json.dump(meta, open(a.out + ".json", "w"), indent=1)
