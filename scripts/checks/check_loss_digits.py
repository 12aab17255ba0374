#!/usr/bin/env python3
"""The loss column to its last digits, checked against the raw samples.

On two ill-conditioned datasets and a well-conditioned one, runs `linflow descend` and
`linflow simulate`, reads the weights of every written row, and computes the loss of those very
weights from the samples here, in x87 extended precision (numpy.longdouble, 64-bit mantissa):
L = 1/(2N) Σₙ ‖yₙ − W xₙ‖² with W = W_L ⋯ W_1. It also computes the true floor min_W L by least
squares with iterative refinement (residuals in longdouble), and reads `linflow stats`'s floor.

Datasets:
  digits+copy   scikit-learn's digits (64 pixels, 10 one-hot targets) plus a near-copy of
                pixel 10, x·(1 + 1e-6·noise)                            (needs scikit-learn)
  offset        5 inputs 1000 ± 1, 2 targets linear in them plus noise (not centred)
  white         standard normal inputs, well conditioned

Reports, per dataset and command: the largest relative error of the loss column, whether any
loss is below the floor, and the error of the stats floor. Checks that every row's excess_loss is
≥ 0 and its loss ≥ the floor the same run reports (its record's loss_floor), with
loss = loss_floor + excess_loss exactly (docs/theory.md, "The floor and the excess").

Affine cases (`--bias`): inputs offset ± 1 for offsets 1e2, 1e3, 1e4, targets affine in them; the
floor and [W* b*] of `stats --bias` against numpy.linalg.lstsq on the centred samples (floor
evaluated in longdouble), within the error bound `stats` prints; and a `simulate --bias` run's
loss column against the affine loss of its weights from the samples.

Exits 1 if the loss column is off by more than 1e-12 relative (and 1e-15 absolute), below the
floor, or an affine floor is off by more than its printed bound.

usage: python3 scripts/checks/check_loss_digits.py [path/to/linflow] [--report-only]
(default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
scikit-learn: taken from the environment, else from a venv made in $TMPDIR (pip install).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

LINFLOW = locate(next((a for a in sys.argv[1:] if not a.startswith("--")), None))
REPORT_ONLY = "--report-only" in sys.argv
LD = np.longdouble


def digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        venv = os.path.join(tempfile.gettempdir(), "linflow-sklearn-venv")
        py = os.path.join(venv, "bin", "python")
        if not os.path.exists(py):
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
            subprocess.run([py, "-m", "pip", "install", "-q", "scikit-learn"], check=True)
        out = subprocess.run([py, "-c", "import sys, numpy as np; from sklearn.datasets import load_digits as l; d = l(); "
                              "np.save(sys.stdout.buffer, np.hstack([d.data, d.target[:, None]]))"],
                             capture_output=True, check=True).stdout
        import io
        a = np.load(io.BytesIO(out))
        return a[:, :64], a[:, 64].astype(int)
    d = load_digits()
    return d.data, d.target


def datasets():
    rng = np.random.default_rng(12)
    x, t = digits()
    copy = x[:, 10] * (1 + 1e-6 * rng.standard_normal(len(x)))
    yield "digits+copy", np.hstack([x, copy[:, None]]), np.eye(10)[t], [16], 5e-4, 20.0
    n = 2000
    xo = 1000 + rng.standard_normal((n, 5))
    yo = (xo - 1000) @ rng.standard_normal((5, 2)) + 0.3 * rng.standard_normal((n, 2)) + 0.5
    yield "offset", xo, yo, [4], 5e-8, 2e-3
    xw = rng.standard_normal((500, 6))
    yield "white", xw, xw @ rng.standard_normal((6, 3)) + 0.1 * rng.standard_normal((500, 3)), [5], 0.1, 50.0


def loss_ld(x, y, w):
    r = y.astype(LD) - x.astype(LD) @ w.T.astype(LD)
    return (r * r).sum() / (2 * len(x))


def floor_ld(x, y):
    """min_W L by least squares, refined: W += lstsq(X, r) with r = Y − XWᵀ in longdouble."""
    w = np.linalg.lstsq(x, y, rcond=None)[0].T
    best = loss_ld(x, y, w)
    for _ in range(4):
        r = (y.astype(LD) - x.astype(LD) @ w.T.astype(LD)).astype(np.float64)
        w2 = w + np.linalg.lstsq(x, r, rcond=None)[0].T
        l2 = loss_ld(x, y, w2)
        if l2 < best:
            w, best = w2, l2
    return best


def trajectory(path, sizes, bias=False):
    """(loss, excess_loss, W, b) of each row; W = W_L ⋯ W_1 and, with biases, b the end-to-end intercept."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    col = {h: i for i, h in enumerate(header)}
    names = ["W21", "W32"] if len(sizes) == 3 else [f"W{l + 1}" for l in range(len(sizes) - 1)]
    for row in data:
        w, b = None, np.zeros(sizes[-1], dtype=LD)
        for l, name in enumerate(names):
            m = np.array([[row[col[f"{name}_{r + 1}_{c + 1}"]] for c in range(sizes[l])] for r in range(sizes[l + 1])], dtype=LD)
            bl = np.array([row[col[f"b{name[1:]}_{r + 1}"]] for r in range(sizes[l + 1])], dtype=LD) if bias else 0
            b = (m @ b[:sizes[l]] if w is not None else np.zeros(sizes[l + 1], dtype=LD)) + bl
            w = m if w is None else m @ w
        yield row[col["loss"]], row[col["excess_loss"]], w, b


def run_floor(path):
    """The loss_floor of the run record written beside `path`."""
    import json
    with open(path + ".json") as f:
        return json.load(f)["result"]["loss_floor"]


def stats_figures(stats):
    """(L*, its printed error bound, the rows of W*) from `linflow stats` output."""
    lines = stats.split("\n")
    floor = float(next(l for l in lines if l.startswith("loss floor L*")).split("=")[-1])
    bound = float(next(l for l in lines if l.startswith("floor error bound")).split(":")[-1])
    i = next(k for k, l in enumerate(lines) if l.startswith("least-squares map"))
    rows = []
    for l in lines[i + 1:]:
        if not l.startswith("  "):
            break
        rows.append([float(v) for v in l.split()])
    return floor, bound, np.array(rows)


def affine_cases():
    """Issue 21: the affine floor far from the origin, against numpy on the centred samples."""
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for offset in [1e2, 1e3, 1e4]:
            rng = np.random.default_rng(21)
            n = 1000
            x = offset + rng.standard_normal((n, 3))
            y = (x - offset) @ rng.standard_normal((3, 2)) + 0.01 * rng.standard_normal((n, 2)) + 0.7
            csv = os.path.join(tmp, "affine.csv")
            np.savetxt(csv, np.hstack([x, y]), delimiter=",", fmt="%.17g")
            floor, bound, wstar = stats_figures(run(["stats", "--data", csv, "--outputs", "2", "--bias"]).stdout)
            xl, yl = x.astype(LD), y.astype(LD)
            xm, ym = xl.mean(0), yl.mean(0)
            w = np.linalg.lstsq((xl - xm).astype(np.float64), (yl - ym).astype(np.float64), rcond=None)[0].astype(LD)
            b = ym - xm @ w
            r = yl - xl @ w - b
            ref = (r * r).sum() / (2 * n)
            err = abs(LD(floor) - ref)
            # stats prints W* to 6 significant digits: each entry within half a unit of the 6th.
            werr = float((np.abs(wstar[:, :3] - w.T.astype(float)) / np.abs(w.T.astype(float))).max())
            berr = float((np.abs(wstar[:, 3] - b.astype(float)) / np.abs(b.astype(float))).max())
            ok = err <= LD(bound) + 4 * np.finfo(float).eps * ref and werr <= 5e-6 and berr <= 5e-6
            # A simulate --bias run: its loss column against the affine loss of its weights.
            out = os.path.join(tmp, "affine-traj.csv")
            # The flow on x̃ = [x; 1] is stiff like offset² (the bias direction's curvature ~ ‖x̄‖²):
            # msbdf, and a horizon that shrinks with it.
            run(["simulate", "--data", csv, "--outputs", "2", "--bias", "--hidden", "3", "--seed", "3", "--init-scale", "0.1",
                 "--method", "msbdf", "--t-end", str(500 / offset), "--samples", "10", "--diagnostics", "none", "-o", out])
            worst, bad = 0.0, 0
            rf = run_floor(out)
            for written, excess, wt, bt in trajectory(out, [3, 3, 2], bias=True):
                rr = yl - xl @ wt.T - bt
                lref = (rr * rr).sum() / (2 * n)
                worst = max(worst, float(abs(LD(written) - lref) / lref))
                bad += not (excess >= 0 and written >= rf and written == rf + excess)
            ok &= worst <= 1e-12 and bad == 0
            failed |= not ok
            print(f"affine, inputs {offset:g} ± 1: stats --bias L* rel. error {float(err / ref):.1e} (bound {float(LD(bound) / ref):.1e}), "
                  f"W* {werr:.1e}, b* {berr:.1e}; simulate --bias loss column {worst:.1e}, rows with excess < 0 or loss < floor: {bad}  "
                  f"{'ok' if ok else 'FAIL'}")
    return failed


def run(args):
    r = subprocess.run([LINFLOW] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"linflow {' '.join(args)} failed: {r.stderr}")
    return r


def main():
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, x, y, hidden, lr, tend in datasets():
            csv = os.path.join(tmp, name + ".csv")
            np.savetxt(csv, np.hstack([x, y]), delimiter=",", fmt="%.17g")
            floor = floor_ld(x, y)
            sfloor, sbound, _ = stats_figures(run(["stats", "--data", csv, "--outputs", str(y.shape[1])]).stdout)
            sizes = [x.shape[1]] + hidden + [y.shape[1]]
            print(f"{name}: N = {len(x)}, {x.shape[1]} inputs, {y.shape[1]} outputs; floor (samples) = {float(floor):.16g}, "
                  f"stats floor = {sfloor:.16g} (rel. error {float(abs(LD(sfloor) - floor) / floor):.1e})")
            out = os.path.join(tmp, name + "-traj.csv")
            common = ["--data", csv, "--outputs", str(y.shape[1]), "--hidden", str(hidden[0]), "--seed", "3",
                      "--init-scale", "0.1", "-o", out, "--diagnostics", "none"]
            for cmd, extra in [("descend", ["--lr", str(lr), "--steps", "2000", "--every", "100", "--no-sharpness"]),
                               ("simulate", ["--t-end", str(tend), "--samples", "20"])]:
                run([cmd] + common + extra)
                worst, below, bad = 0.0, 0, 0
                rf = run_floor(out)
                for written, excess, w, _ in trajectory(out, sizes):
                    ref = loss_ld(x, y, w)
                    err = abs(LD(written) - ref)
                    worst = max(worst, float(err / ref) if err > 1e-15 else 0.0)
                    # Below the samples' floor by more than the floor's own stated error?
                    below += written < floor - max(LD(sbound), floor * LD(1e-15))
                    # The run's own floor: never below it, and loss = floor + excess to the bit.
                    bad += not (excess >= 0 and written >= rf and written == rf + excess)
                ok = worst <= 1e-12 and below == 0 and bad == 0
                failed |= not ok
                print(f"  {cmd:8s}: loss column vs samples: max rel. error {worst:.1e}; rows below the floor: {below}; "
                      f"rows with excess_loss < 0 or loss ≠ loss_floor + excess_loss: {bad}  {'ok' if ok else 'FAIL'}")
    failed |= affine_cases()
    if failed and not REPORT_ONLY:
        sys.exit(1)


if __name__ == "__main__":
    main()
