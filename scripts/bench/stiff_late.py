#!/usr/bin/env python3
"""The stiff late phase in CPU time: `simulate --method auto` against scipy's LSODA on the
hierarchy, 8-16-15 (368 weights) to T = 4·10⁴, at equal final-weight accuracy.

    python3 scripts/bench/stiff_late.py [--rtols 1e-6,1e-8,1e-10] [--repeat 21] [--linflow PATH]
    (run it with the bench venv's python for scipy: scripts/bench/.venv/bin/python)

linflow: `perf stat -e task-clock` of `simulate … --t-end 40000` less that of the same command
to t = 1e-8 (process start, data and rows cancel), both with OPENBLAS_NUM_THREADS=1, run in
REPEAT interleaved pairs at each rtol: the medians (other processes on a shared machine slow
single runs by up to 2×; the median of interleaved pairs is stable to ~1 ms). LSODA: `time.process_time()` around scipy's `solve_ivp(method="LSODA")`
on the numpy RHS of baselines/common.py (rtol, atol = rtol/100, first step 1e-6), best of 5, with
one OpenBLAS thread too (process_time counts every thread: a spinning OpenBLAS worker inflates it
tenfold). Errors: max_i |w_i − w*_i| / max_i |w*_i| against linflow's rk8pd at rtol 1e-13. CPU
time is what a load on the machine changes least; the load is printed."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "baselines"))
from linflow_exe import locate  # noqa: E402
from common import correlations, flow_rhs  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--rtols", default="1e-6,1e-8,1e-10")
ap.add_argument("--repeat", type=int, default=21)
ap.add_argument("--linflow", default=None)
args = ap.parse_args()
LINFLOW = locate(args.linflow)
T = 40000.0
ONE_THREAD = dict(os.environ, OPENBLAS_NUM_THREADS="1")
work = tempfile.mkdtemp(prefix="linflow-stiff-")
data = os.path.join(work, "hierarchy.csv")
subprocess.run([LINFLOW, "datasets", "hierarchy", "-o", data], check=True, capture_output=True)
BASE = [LINFLOW, "simulate", "--data", data, "--outputs", "15", "--hidden", "16", "--samples", "1", "--diagnostics", "none"]


def weights(path, last=True):
    lines = open(path).read().splitlines()
    cols = [i for i, h in enumerate(lines[0].split(",")) if re.match(r"^[Wb]\d", h)]
    cells = lines[-1 if last else 1].split(",")
    return np.array([float(cells[i]) for i in cols])


def task_clock_ms(extra):
    out = os.path.join(work, "run.csv")
    r = subprocess.run(["perf", "stat", "-x", ",", "-e", "task-clock"] + BASE + extra + ["-o", out],
                       env=ONE_THREAD, capture_output=True, text=True, check=True)
    line = next(l for l in r.stderr.splitlines() if "task-clock" in l)
    return float(line.split(",")[0]), out


def error(w, ref):
    return float(np.abs(w - ref).max() / np.abs(ref).max())


start = os.path.join(work, "start.csv")
subprocess.run(BASE + ["--t-end", "1e-8", "-o", start], check=True, capture_output=True)
ref_csv = os.path.join(work, "ref.csv")
subprocess.run(BASE + ["--t-end", str(T), "--method", "rk8pd", "--rtol", "1e-13", "--atol", "1e-15", "-o", ref_csv],
               check=True, capture_output=True)
ref = weights(ref_csv)
s11, s31, _ = correlations(data, 15)
rhs, _ = flow_rhs([8, 16, 15], s11, s31)
theta0 = weights(start, last=False)
print(f"load {os.getloadavg()[0]:.1f}; linflow {LINFLOW}")
print("| rtol | auto solve (ms CPU) | auto error | LSODA (ms CPU) | LSODA error | LSODA / auto |")
print("|---|---|---|---|---|---|")
for rtol in [float(x) for x in args.rtols.split(",")]:
    tol = ["--method", "auto", "--rtol", f"{rtol:g}", "--atol", f"{rtol * 1e-2:g}"]
    shorts, fulls = [], []
    for _ in range(args.repeat):
        shorts.append(task_clock_ms(tol + ["--t-end", "1e-8"])[0])
        ms, out = task_clock_ms(tol + ["--t-end", str(T)])
        fulls.append(ms)
    short, full = float(np.median(shorts)), float(np.median(fulls))
    auto = full - short
    code = f"""
import sys, time, numpy as np
sys.path.insert(0, {os.path.join(HERE, 'baselines')!r})
from common import correlations, flow_rhs
from scipy.integrate import solve_ivp
s11, s31, _ = correlations({data!r}, 15)
rhs, _ = flow_rhs([8, 16, 15], s11, s31)
theta0 = np.load({os.path.join(work, 'theta0.npy')!r})
best = float("inf")
for _ in range(5):
    t = time.process_time()
    sol = solve_ivp(rhs, (0, {T}), theta0, method="LSODA", t_eval=[{T}], rtol={rtol}, atol={rtol * 1e-2}, first_step=1e-6)
    best = min(best, time.process_time() - t)
np.save({os.path.join(work, 'lsoda.npy')!r}, sol.y[:, -1])
print(best * 1e3)
"""
    np.save(os.path.join(work, "theta0.npy"), theta0)
    env = {k: v for k, v in ONE_THREAD.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    lsoda = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    e_lsoda = error(np.load(os.path.join(work, "lsoda.npy")), ref)
    print(f"| {rtol:g} | {auto:.1f} ({full:.1f} − {short:.1f}) | {error(weights(out), ref):.1e} | {lsoda:.1f} | {e_lsoda:.1e} | {lsoda / auto:.1f}× |",
          flush=True)
print(f"load {os.getloadavg()[0]:.1f}")
