#!/usr/bin/env python3
"""Ensembles: a grid of 112 small runs, linflow's whole sweep against what a researcher would
write instead, side by side in one run (issue 24).

    scripts/bench/run --only ensemble [--runs N]          # or directly:
    scripts/bench/ensemble.py [--runs 3] [--only descent,flow] [--linflow PATH] [--no-build] [--dir DIR]

Grids (both on the built-in hierarchical data, an 8-16-15 network):

- descent: docs/sweeps.md's phase diagram, `descend --seed 1 --steps 300 --every 30` over
  η = 0.2…3.2 (16) × σ = 1e-3…1 (7 log-spaced), 112 tasks; linflow estimates the sharpness
  at each written row (its default), the baselines do not;
- flow: `simulate --t-end 80 --rtol 1e-8` (atol 1e-10, 201 rows) over σ = 1e-3…1 (7) × seeds
  1…16, 112 tasks.

linflow's time is the wall time of the three processes `sweep plan`, `sweep run --jobs 2` and
`sweep collect -o summary.csv`, in a fresh directory each run (tasks in-process, the default;
the same with `--isolate`, one process per task, for comparison). The baselines start from the
same weights (row 0 of each linflow task, read untimed) and write nothing:

- numpy: the 112 descents batched in one loop (stacked matmuls, loss every step);
- JAX: `jit(vmap(lax.scan(step)))` for descent, diffrax Tsit5 (PIDController rtol 1e-8, atol
  1e-10, dt0 1e-6, SaveAt the 201 row times) vmapped over the 112 starts for the flow, float64;
  compile time (the first call less the best later one) reported apart;
- scipy: a Python loop of solve_ivp(RK45, rtol 1e-8, atol 1e-10, t_eval = the row times).

Each time is the median over --runs, with the spread (min–max), as wall time and as CPU time
(user + system, all threads and child processes: on a shared, loaded machine the wall time of
a multi-threaded program depends on what else runs, its CPU time much less). The final weights of every
baseline are compared with linflow's last row (max relative difference over the runs that did
not diverge), so that the race is over the same computation.
"""
import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.join(HERE, "baselines")]
import benchenv  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--only", default="descent,flow")
ap.add_argument("--linflow", default=None, help="the executable (default: $LINFLOW, else the release build)")
ap.add_argument("--no-build", action="store_true")
ap.add_argument("--jobs", type=int, default=2, help="sweep run --jobs (default 2)")
ap.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "linflow-bench", "ensemble"))
args = ap.parse_args()
benchenv.ensure(jax=True)

import numpy as np  # noqa: E402
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import diffrax  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402
from common import correlations, flow_rhs, unflatten  # noqa: E402
from linflow_exe import locate  # noqa: E402

LINFLOW = args.linflow or locate(build=not args.no_build)
os.makedirs(args.dir, exist_ok=True)
D = lambda *p: os.path.join(args.dir, *p)
SIZES = [8, 16, 15]

GRIDS = {
    "descent": (["--grid", "lr=0.2:3.2:16", "--grid", "init-scale=1e-3:1:7log"],
                ["descend", "--dataset", "hierarchy", "--hidden", "16", "--seed", "1", "--steps", "300", "--every", "30"]),
    "flow": (["--grid", "init-scale=1e-3:1:7log", "--grid", "seed=1:16:16"],
             ["simulate", "--dataset", "hierarchy", "--hidden", "16", "--t-end", "80", "--rtol", "1e-8"]),
}


def spread(xs):
    return f"{statistics.median(xs):.3g} s ({min(xs):.3g}–{max(xs):.3g})"


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def linflow_sweep(name, isolate):
    """(wall seconds, CPU seconds) of plan + run + collect, in a fresh directory; the directory."""
    grid, command = GRIDS[name]
    sweep = D(f"{name}-sweep{'-isolated' if isolate else ''}")
    shutil.rmtree(sweep, ignore_errors=True)
    run = [LINFLOW, "sweep", "run", sweep, "--jobs", str(args.jobs)] + ["--isolate"] * isolate
    start, cpu = time.perf_counter(), children_cpu()
    for cmd in ([LINFLOW, "sweep", "plan", sweep, *grid, "--", *command], run,
                [LINFLOW, "sweep", "collect", sweep, "-o", sweep + ".csv"]):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start, children_cpu() - cpu), sweep


def tasks(sweep):
    """Per task in order: its swept values, the weights of its first and last rows, its status."""
    plan = json.load(open(os.path.join(sweep, "plan.json")))
    out = []
    for t in plan["tasks"]:
        d = os.path.join(sweep, "tasks", str(t["id"]))
        outcome = json.load(open(os.path.join(d, "outcome.json")))
        with open(os.path.join(d, outcome["output"])) as f:
            r = csv.reader(f)
            header = next(r)
            cols = [i for i, h in enumerate(header) if re.match(r"^W\d", h)]
            rows = [[float(x[i]) for i in cols] for x in r]
        swept = {a.split("=")[0].lstrip("-"): a.split("=")[1] for a in t["arguments"] if a.startswith("--") and "=" in a}
        out.append((swept, np.array(rows[0]), np.array(rows[-1]), outcome["status"]))
    return out


def sigma():
    path = D("hierarchy.csv")
    subprocess.run([LINFLOW, "datasets", "hierarchy", "-o", path], check=True, stderr=subprocess.DEVNULL)
    s11, s31, _ = correlations(path, 15)
    return s11, s31


def timed(f, runs):
    """([(wall, CPU of this process's threads)] per run, the last result)."""
    xs = []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = f()
        xs.append((time.perf_counter() - start, time.process_time() - cpu))
    return xs, result


def max_rel(a, b, keep):
    """max over the kept runs of ‖a − b‖_∞ / ‖b‖_∞."""
    return max(float(np.max(np.abs(x - y)) / np.max(np.abs(y))) for x, y, k in zip(a, b, keep) if k)


def descent(s11, s31, lin):
    task_list = tasks(lin)
    lr = np.array([float(t[0]["lr"]) for t in task_list])
    theta0 = np.stack([t[1] for t in task_list])
    keep = [t[3] == "complete" for t in task_list]
    last = [t[2] for t in task_list]
    n = len(task_list)
    W21_0 = theta0[:, :128].reshape(n, 16, 8)
    W32_0 = theta0[:, 128:].reshape(n, 15, 16)
    steps = 300

    def numpy_batched():
        W21, W32, eta = W21_0.copy(), W32_0.copy(), lr[:, None, None]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                E = s31 - W32 @ W21 @ s11
                W21, W32 = W21 + eta * (W32.transpose(0, 2, 1) @ E), W32 + eta * (E @ W21.transpose(0, 2, 1))
                W = W32 @ W21
                loss = 0.5 * (np.einsum("nij,nij->n", (W @ s11), W) - 2 * np.einsum("nij,ij->n", W, s31))
        return np.concatenate([W21.reshape(n, -1), W32.reshape(n, -1)], axis=1), loss

    S11, S31 = jnp.asarray(s11), jnp.asarray(s31)

    def one(eta, w21, w32):
        def step(c, _):
            w21, w32 = c
            E = S31 - w32 @ w21 @ S11
            w21, w32 = w21 + eta * (w32.T @ E), w32 + eta * (E @ w21.T)
            W = w32 @ w21
            return (w21, w32), 0.5 * (jnp.sum((W @ S11) * W) - 2 * jnp.sum(W * S31))
        (w21, w32), losses = jax.lax.scan(step, (w21, w32), None, length=steps)
        return jnp.concatenate([w21.ravel(), w32.ravel()]), losses[-1]

    batched = jax.jit(jax.vmap(one))
    jargs = (jnp.asarray(lr), jnp.asarray(W21_0), jnp.asarray(W32_0))
    start = time.perf_counter()
    jax.block_until_ready(batched(*jargs))
    first = time.perf_counter() - start
    jx, (jw, _) = timed(lambda: jax.block_until_ready(batched(*jargs)), args.runs)
    nx, (nw, _) = timed(numpy_batched, args.runs)
    return {"numpy batched": (nx, None, max_rel(nw, last, keep)),
            "JAX vmap+jit (lax.scan)": (jx, max(0.0, first - min(w for w, _ in jx)), max_rel(np.asarray(jw), last, keep))}


def flow(s11, s31, lin):
    task_list = tasks(lin)
    theta0 = np.stack([t[1] for t in task_list])
    last = [t[2] for t in task_list]
    keep = [True] * len(task_list)
    ts = np.array([80.0 * i / 200 for i in range(201)])
    rhs, _ = flow_rhs(SIZES, s11, s31)

    def scipy_loop():
        return [solve_ivp(rhs, (0.0, 80.0), y0, method="RK45", rtol=1e-8, atol=1e-10, t_eval=ts, first_step=1e-6).y[:, -1]
                for y0 in theta0]

    jrhs, _ = flow_rhs(SIZES, jnp.asarray(s11), jnp.asarray(s31), xp=jnp)
    term = diffrax.ODETerm(lambda t, y, a: jrhs(t, y))

    def one(y0):
        sol = diffrax.diffeqsolve(term, diffrax.Tsit5(), 0.0, 80.0, 1e-6, y0, saveat=diffrax.SaveAt(ts=jnp.asarray(ts)),
                                  stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10),
                                  adjoint=diffrax.ForwardMode(), max_steps=1_000_000)
        return sol.ys

    batched = jax.jit(jax.vmap(one))
    y0 = jnp.asarray(theta0)
    start = time.perf_counter()
    jax.block_until_ready(batched(y0))
    first = time.perf_counter() - start
    dx, ys = timed(lambda: jax.block_until_ready(batched(y0)), args.runs)
    sx, sw = timed(scipy_loop, args.runs)
    return {"diffrax Tsit5 vmap+jit": (dx, max(0.0, first - min(w for w, _ in dx)), max_rel(np.asarray(ys)[:, -1], last, keep)),
            "scipy solve_ivp RK45 loop": (sx, None, max_rel(sw, last, keep))}


s11, s31 = sigma()
print(f"# ensemble bench: linflow {LINFLOW}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start; "
      f"--runs {args.runs}, sweep run --jobs {args.jobs}", flush=True)
table = []
walls = lambda xs: [w for w, _ in xs]
cpus = lambda xs: [c for _, c in xs]
for name in args.only.split(","):
    lin, iso, sweep = [], [], None
    for _ in range(args.runs):
        s, sweep = linflow_sweep(name, isolate=False)
        lin.append(s)
        iso.append(linflow_sweep(name, isolate=True)[0])
    print(f"{name}: linflow sweep {spread(walls(lin))}, CPU {spread(cpus(lin))}; with --isolate {spread(walls(iso))}, "
          f"CPU {spread(cpus(iso))}", flush=True)
    peers = (descent if name == "descent" else flow)(s11, s31, sweep)
    base, base_cpu = statistics.median(walls(lin)), statistics.median(cpus(lin))
    table.append((name, "linflow sweep (plan + run + collect)", spread(walls(lin)), spread(cpus(lin)), "", "1", "1", ""))
    table.append((name, "linflow sweep --isolate", spread(walls(iso)), spread(cpus(iso)), "",
                  f"{statistics.median(walls(iso)) / base:.2f}", f"{statistics.median(cpus(iso)) / base_cpu:.2f}", ""))
    for peer, (xs, compile_s, diff) in peers.items():
        ratio, cpu_ratio = statistics.median(walls(xs)) / base, statistics.median(cpus(xs)) / base_cpu
        table.append((name, peer, spread(walls(xs)), spread(cpus(xs)), f"{compile_s:.2f} s" if compile_s is not None else "—",
                      f"{ratio:.3g}", f"{cpu_ratio:.3g}", f"{diff:.1e}"))
        print(f"{name}: {peer} {spread(walls(xs))}, CPU {spread(cpus(xs))}, compile {compile_s}, peer/linflow wall "
              f"{ratio:.3g}, CPU {cpu_ratio:.3g}; max rel. difference of the final weights from linflow's {diff:.1e}", flush=True)
print(f"\nload {os.getloadavg()[0]:.1f} at the end")
print("\n| grid | program | wall time, median (min–max) | CPU time (all threads) | compile | wall / linflow's | CPU / linflow's | final weights vs linflow |")
print("|---|---|---|---|---|---|---|---|")
for r in table:
    print("| " + " | ".join(r) + " |")
