#!/usr/bin/env python3
"""Independent cross-check of `linflow simulate` against scipy.

For several datasets and depths, runs linflow, takes the weights of its first row, and
integrates the same gradient flow with scipy's solve_ivp (DOP853, tight tolerances) using
correlations and losses computed here with numpy from the raw samples. Every row of linflow's
trajectory must agree with scipy's. Nothing here shares code with linflow.

usage: python3 scripts/checks/crosscheck_scipy.py [path/to/linflow]
(default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

LINFLOW = locate(sys.argv[1] if len(sys.argv) > 1 else None)


def run(args):
    r = subprocess.run([LINFLOW] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"linflow {' '.join(args)} failed: {r.stderr}")
    return r


def load_trajectory(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return header, data


def flow_rhs(sizes, s11, s31):
    shapes = [(sizes[l + 1], sizes[l]) for l in range(len(sizes) - 1)]
    splits = np.cumsum([r * c for r, c in shapes])[:-1]

    def unpack(theta):
        return [p.reshape(s) for p, s in zip(np.split(theta, splits), shapes)]

    def rhs(_t, theta):
        ws = unpack(theta)
        grads = []
        for l in range(len(ws)):
            # product of layers above l (W_L ... W_{l+1}) and below (W_{l-1} ... W_1)
            up = np.eye(ws[l].shape[0])
            for w in ws[l + 1:]:
                up = w @ up
            down = np.eye(sizes[0])
            for w in ws[:l]:
                down = w @ down
            total = up @ ws[l] @ down
            err = s31 - total @ s11
            grads.append(up.T @ err @ down.T)
        return np.concatenate([g.ravel() for g in grads])

    return rhs, unpack


def check(name, data_csv, outputs, extra, tol=1e-7):
    raw = np.loadtxt(data_csv, delimiter=",", skiprows=1, ndmin=2)
    x, y = raw[:, :-outputs], raw[:, -outputs:]
    n = len(raw)
    s11, s31 = x.T @ x / n, y.T @ x / n
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "traj.csv")
        run(["simulate", "--data", data_csv, "--outputs", str(outputs), "--rtol", "1e-11", "--atol", "1e-13",
             "--samples", "20", "--diagnostics", "none", "-o", out] + extra)
        header, traj = load_trajectory(out)
    # The weight columns by name (t, loss and excess_loss come first; diagnostics are off).
    wcols = [i for i, h in enumerate(header) if re.match(r"^[Wb]\d", h)]
    layer_names = []
    for h in (header[i] for i in wcols):
        name_ = h.split("_")[0]
        if name_ not in layer_names:
            layer_names.append(name_)
    sizes = [x.shape[1]]
    for ln in layer_names:
        rows = max(int(h.split("_")[1]) for h in header if h.startswith(ln + "_"))
        sizes.append(rows)
    rhs, unpack = flow_rhs(sizes, s11, s31)
    t = traj[:, 0]
    sol = solve_ivp(rhs, (0, t[-1]), traj[0, wcols], method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14)
    weights_gap = np.max(np.abs(sol.y.T - traj[:, wcols]))
    losses = []
    for theta in sol.y.T:
        w = np.eye(sizes[0])
        for m in unpack(theta):
            w = m @ w
        losses.append(0.5 * np.mean(np.sum((y - x @ w.T) ** 2, axis=1)))
    loss_gap = np.max(np.abs(np.array(losses) - traj[:, header.index("loss")]) / np.maximum(1e-12, np.abs(losses)))
    ok = weights_gap < tol and loss_gap < 1e-6
    print(f"{'ok  ' if ok else 'FAIL'} {name}: sizes {sizes}, max |ΔW| = {weights_gap:.2e}, "
          f"max relative Δloss = {loss_gap:.2e}")
    return ok


def main():
    results = []
    with tempfile.TemporaryDirectory() as d:
        hier = os.path.join(d, "hierarchy.csv")
        run(["datasets", "hierarchy", "-o", hier])
        results.append(check("hierarchy, 2 layers", hier, 15, ["--t-end", "80"]))
        results.append(check("hierarchy, depth 4", hier, 15, ["--layers", "8,6,6,6,15", "--init-scale", "0.3", "--t-end", "30"]))
        rng = np.random.default_rng(3)
        x = rng.normal(size=(500, 5))
        y = x @ rng.normal(size=(5, 3)) + 0.2 * rng.normal(size=(500, 3))
        rnd = os.path.join(d, "random.csv")
        np.savetxt(rnd, np.hstack([x, y]), delimiter=",", header="a,b,c,d,e,p,q,r", comments="")
        results.append(check("random 5→3, 2 layers", rnd, 3, ["--hidden", "4", "--init-scale", "0.1", "--t-end", "20"]))
        results.append(check("random 5→3, depth 3", rnd, 3, ["--layers", "5,7,4,3", "--init-scale", "0.3", "--t-end", "10"]))
        results.append(check("random 5→3, rk8pd", rnd, 3, ["--hidden", "3", "--method", "rk8pd", "--t-end", "10", "--init-scale", "0.2"]))
        results.append(check("hierarchy, rms error norm", hier, 15, ["--t-end", "80", "--error-norm", "rms"]))
        results.append(check("hierarchy, dop853", hier, 15, ["--t-end", "80", "--method", "dop853"]))
        results.append(check("random 5→3, depth 3, dop853 rms", rnd, 3, ["--layers", "5,7,4,3", "--init-scale", "0.3", "--t-end", "10",
                                                                      "--method", "dop853", "--error-norm", "rms"]))
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
