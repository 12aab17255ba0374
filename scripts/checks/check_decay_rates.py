#!/usr/bin/env python3
"""Independent cross-check of weight decay (--weight-decay) and per-layer rates (--layer-rates).

From the raw samples (`linflow datasets NAME`) and the first row of each linflow run, recomputes
with numpy and scipy alone, from the formulas of docs/theory.md ("Weight decay and per-layer
rates"):
  * the flow  dW_l/dt = -r_l (dL/dW_l + gamma W_l),  db_l/dt = -r_l dL/db_l  (biases not decayed),
    L = 1/(2N) sum ||y - yhat||^2, integrated with scipy's DOP853 at rtol 1e-12: every row of
    `simulate` (affine two-layer and linear three-layer chains);
  * the columns objective = L + (gamma/2) sum ||W_l||_F^2 and
    imbalance = max_l ||W_{l+1}^T W_{l+1}/r_{l+1} - W_l W_l^T/r_l - b_l b_l^T/r_l||_F;
  * descent with heavy-ball momentum, v <- beta v - eta r_l (grad_l L + gamma W_l), replayed step
    by step from row 0: every row of `descend --every 1`;
  * compare's modified flow f - (eta/2) f'(theta) f with f the velocity above and f'f by complex
    step (exact for this polynomial), against its gap_modified column.
Prints the largest differences and exits 1 if one exceeds its bound.

    python3 scripts/checks/check_decay_rates.py [--linflow PATH]
"""
import argparse, csv, io, os, subprocess, sys, tempfile
import numpy as np
from scipy.integrate import solve_ivp

p = argparse.ArgumentParser()
p.add_argument("--linflow", default=None)
args = p.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402
LINFLOW = locate(args.linflow)
tmp = tempfile.mkdtemp()


def run(*a):
    r = subprocess.run([LINFLOW, *a], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"linflow {' '.join(a)} failed: {r.stderr}")
    return r.stdout


def table(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


class Chain:
    """A chain of layers (W_l, b_l) read from a trajectory header, its loss and velocity."""

    def __init__(self, header, x, y, bias, rates, gamma):
        self.bias, self.rates, self.gamma = bias, rates, gamma
        self.x, self.y, self.n = x, y, x.shape[1]
        shapes, cols = [], []
        for i, h in enumerate(header):
            if h[0] in "Wb" and "_" in h:
                name = h.split("_")[0]
                if not shapes or shapes[-1][0] != name:
                    shapes.append([name, 0, 0])
                parts = h.split("_")
                shapes[-1][1] = max(shapes[-1][1], int(parts[1]))
                if len(parts) > 2:
                    shapes[-1][2] = max(shapes[-1][2], int(parts[2]))
                cols.append(i)
        self.blocks = [(name, r, c) for name, r, c in shapes]
        self.cols = cols

    def unflat(self, theta):
        ws, bs, o = [], [], 0
        for name, r, c in self.blocks:
            if name[0] == "W":
                ws.append(theta[o:o + r * c].reshape(r, c)); o += r * c
            else:
                bs.append(theta[o:o + r]); o += r
        return ws, bs

    def forward(self, theta):
        ws, bs = self.unflat(theta)
        acts = [self.x]
        for l, w in enumerate(ws):
            acts.append(w @ acts[-1] + (bs[l][:, None] if self.bias else 0))
        return ws, bs, acts

    def loss(self, theta):
        _, _, acts = self.forward(theta)
        return 0.5 * np.sum((self.y - acts[-1]) ** 2) / self.n

    def velocity(self, theta):
        ws, bs, acts = self.forward(theta)
        delta = (self.y - acts[-1]) / self.n          # -dL/d(output)
        out = [None] * len(ws)
        for l in reversed(range(len(ws))):
            gw = delta @ acts[l].T - self.gamma * ws[l]   # -(dL/dW_l + gamma W_l)
            parts = [self.rates[l] * gw.ravel()]
            if self.bias:
                parts.append(self.rates[l] * delta.sum(axis=1))
            out[l] = np.concatenate(parts)
            delta = ws[l].T @ delta
        return np.concatenate(out)

    def objective(self, theta):
        ws, _ = self.unflat(theta)
        return self.loss(theta) + 0.5 * self.gamma * sum(np.sum(w * w) for w in ws)

    def imbalance(self, theta):
        ws, bs = self.unflat(theta)
        worst = 0.0
        for l in range(len(ws) - 1):
            q = ws[l + 1].T @ ws[l + 1] / self.rates[l + 1] - ws[l] @ ws[l].T / self.rates[l]
            if self.bias:
                q -= np.outer(bs[l], bs[l]) / self.rates[l]
            worst = max(worst, np.linalg.norm(q))
        return worst


def dataset(name, outputs):
    d = np.array([[float(v) for v in r] for r in list(csv.reader(io.StringIO(run("datasets", name))))[1:]])
    return d[:, :-outputs].T, d[:, -outputs:].T


failures = []


def check(label, value, bound):
    ok = value <= bound
    print(f"  {label}: {value:.2e} (bound {bound:.0e}){'' if ok else '  FAIL'}")
    if not ok:
        failures.append(label)


x, y = dataset("hierarchy", 15)
cases = [
    ("two layers, biases, gamma 0.05, rates 0.5,2", ["--bias", "--hidden", "4"], True, [0.5, 2.0], 0.05),
    ("three layers, gamma 0.02, rates 1,3,0.5", ["--layers", "8,6,5,15"], False, [1.0, 3.0, 0.5], 0.02),
]
for label, net, bias, rates, gamma in cases:
    print(label)
    terms = ["--weight-decay", str(gamma), "--layer-rates", ",".join(str(r) for r in rates)]
    out = os.path.join(tmp, "flow.csv")
    run("simulate", *net, *terms, "--init-scale", "0.3", "--t-end", "20", "--samples", "20",
        "--rtol", "1e-12", "--atol", "1e-14", "-o", out)
    h, T = table(out)
    chain = Chain(h, x, y, bias, rates, gamma)
    theta0 = T[0, chain.cols]
    sol = solve_ivp(lambda t, th: chain.velocity(th), (0, T[-1, 0]), theta0, method="DOP853",
                    t_eval=T[:, 0], rtol=1e-12, atol=1e-14)
    ref = sol.y.T
    # Both integrators at rtol 1e-12 over ~100 steps on weights of size ~1: far below 1e-8.
    check("simulate: max |W - W_scipy| over every row", np.max(np.abs(ref - T[:, chain.cols])), 1e-8)
    obj = np.array([chain.objective(r) for r in ref])
    check("objective column, relative", np.max(np.abs(obj - T[:, h.index("objective")]) / obj), 1e-8)
    imb = np.array([chain.imbalance(r) for r in ref])
    check("imbalance column (rates' metric)", np.max(np.abs(imb - T[:, h.index("imbalance")])), 1e-8)

    eta, beta, steps = 0.1, 0.5, 60
    out = os.path.join(tmp, "gd.csv")
    run("descend", *net, *terms, "--init-scale", "0.3", "--lr", str(eta), "--momentum", str(beta),
        "--steps", str(steps), "--every", "1", "--no-sharpness", "-o", out)
    h, D = table(out)
    theta, v = D[0, chain.cols].copy(), np.zeros(len(chain.cols))
    worst = 0.0
    for k in range(1, steps + 1):
        v = beta * v + eta * chain.velocity(theta)
        theta = theta + v
        worst = max(worst, np.max(np.abs(theta - D[k, chain.cols])) / max(1.0, np.max(np.abs(theta))))
    # Rounding only (the gradient summed in another order): ~1e-16 per step, times 60 steps.
    check("descend with momentum: max rel. |W - W_numpy| over every step", worst, 1e-12)

    out = os.path.join(tmp, "cmp.csv")
    run("compare", *net, *terms, "--init-scale", "0.3", "--lr", str(eta), "--steps", "40", "--every", "4",
        "--rtol", "1e-12", "--atol", "1e-14", "-o", out)
    h, C = table(out)
    # compare writes no weights; its start is the same seed's: descend's row 0.
    theta0 = D[0, chain.cols]
    gd = [theta0]
    for k in range(40):
        gd.append(gd[-1] + eta * chain.velocity(gd[-1]))

    def modified(th):
        f = chain.velocity(th)
        jf = np.imag(chain.velocity(th + 1e-30j * f)) / 1e-30
        return f - 0.5 * eta * jf

    times = C[:, 0]
    mod = solve_ivp(lambda t, th: modified(th), (0, times[-1]), theta0, method="DOP853", t_eval=times,
                    rtol=1e-12, atol=1e-14).y.T

    def e2e(th):
        ws, bs = chain.unflat(th)
        p = np.eye(x.shape[0])
        for w in ws:
            p = w @ p
        return p

    gaps = np.array([np.linalg.norm(e2e(gd[int(round(t / eta))]) - e2e(mod[i])) for i, t in enumerate(times)])
    check("compare: max |gap_modified - numpy's|, relative to the largest gap",
          np.max(np.abs(gaps - C[:, h.index("gap_modified")])) / gaps.max(), 1e-7)

if failures:
    raise SystemExit(f"check_decay_rates: {len(failures)} check(s) failed: {', '.join(failures)}")
print("check_decay_rates: all agree")
