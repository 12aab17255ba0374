#!/usr/bin/env python3
"""Independent cross-check of `linflow descend` and `linflow compare` with numpy/scipy.

Reads the samples (`linflow datasets NAME`) and the initial weights (row 0 of `descend`), then
recomputes from the raw samples, without any of linflow's code:
  * gradient descent W <- W - eta grad L, L = 1/(2N) sum ||y - W_L...W_1 x||^2 (any depth);
  * the sharpness (top eigenvalue of the full Hessian, built column by column by complex-step
    differentiation of the gradient, which is exact for this polynomial loss) at every row;
  * the gradient flow and the modified flow d theta/dt = -grad L - (eta/2) H grad L
    (H grad L by complex step), integrated with scipy's DOP853 at rtol 1e-12;
and prints the largest differences to linflow's columns.

    python3 scripts/checks/check_descent.py [--lr 0.2] [--steps 100] [--every 5] [--dataset hierarchy] [--hidden H]
        [--linflow PATH]     (default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import argparse, csv, io, os, subprocess, sys, tempfile
import numpy as np
from scipy.integrate import solve_ivp

p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.2)
p.add_argument("--steps", type=int, default=100)
p.add_argument("--every", type=int, default=5)
p.add_argument("--dataset", default="hierarchy")
p.add_argument("--hidden", type=int, default=None)
p.add_argument("--init-scale", default=None)
p.add_argument("--linflow", default=None)
a = p.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402
a.linflow = locate(a.linflow)

common = ["--dataset", a.dataset, "--lr", str(a.lr), "--steps", str(a.steps), "--every", str(a.every)]
if a.hidden: common += ["--hidden", str(a.hidden)]
if a.init_scale: common += ["--init-scale", a.init_scale]
tmp = tempfile.mkdtemp()
def run(*args):
    return subprocess.run([a.linflow, *args], check=True, capture_output=True, text=True).stdout
def table(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])

data = np.array([[float(v) for v in r] for r in list(csv.reader(io.StringIO(run("datasets", a.dataset))))[1:]])
dh, D = table(run("descend", *common, "--diagnostics", "none"))
ch, C = table(run("compare", *common))

# Layer shapes from the weight column names W{l+1}{l}_r_c (two-layer names for depth < 9).
names = [h for h in dh if h.startswith("W")]
layers = []
for n in names:
    layer, r, c = n.split("_")
    if not layers or layers[-1][0] != layer: layers.append([layer, 0, 0])
    layers[-1][1] = max(layers[-1][1], int(r)); layers[-1][2] = max(layers[-1][2], int(c))
shapes = [(r, c) for _, r, c in layers]
n_in, n_out = shapes[0][1], shapes[-1][0]
X, Y = data[:, :n_in].T, data[:, n_in:].T
N = X.shape[1]
wcols = [dh.index(n) for n in names]

def unflat(theta):
    out, o = [], 0
    for r, c in shapes:
        out.append(theta[o:o + r * c].reshape(r, c)); o += r * c
    return out

def loss(theta):
    h = X
    for W in unflat(theta): h = W @ h
    return 0.5 * np.sum((Y - h) ** 2) / N

def grad(theta):
    Ws = unflat(theta)
    acts = [X]
    for W in Ws: acts.append(W @ acts[-1])
    delta = -(Y - acts[-1]) / N            # dL/d(output)
    gs = [None] * len(Ws)
    for l in reversed(range(len(Ws))):
        gs[l] = delta @ acts[l].T
        delta = Ws[l].T @ delta
    return np.concatenate([g.ravel() for g in gs])

def hvp(theta, v, h=1e-30):
    return np.imag(grad(theta + 1j * h * v)) / h

def sharpness(theta):
    n = theta.size
    H = np.column_stack([hvp(theta, e) for e in np.eye(n)])
    return np.linalg.eigvalsh(0.5 * (H + H.T))[-1]

eta = a.lr
theta = D[0, wcols].copy()
gd = {0: theta.copy()}
for k in range(1, a.steps + 1):
    theta = theta - eta * grad(theta)
    gd[k] = theta.copy()
steps = [int(round(t / eta)) for t in D[:, 0]]
print(f"{len(names)} weights, N = {N}, eta = {eta}, {a.steps} steps, rows at steps {steps[:3]}...{steps[-1]}")

dw = max(np.max(np.abs(gd[k] - D[i, wcols])) / max(1, np.max(np.abs(gd[k]))) for i, k in enumerate(steps))
dl = max(abs(loss(gd[k]) - D[i, dh.index("loss")]) / max(1e-300, loss(gd[k])) for i, k in enumerate(steps))
sh = max(abs(sharpness(gd[k]) - D[i, dh.index("sharpness")]) / sharpness(gd[k]) for i, k in enumerate(steps))
print(f"descend: max rel. weight diff {dw:.2e}, max rel. loss diff {dl:.2e}, max rel. sharpness diff {sh:.2e}")

times = C[:, 0]
def integrate(rhs):
    sol = solve_ivp(lambda t, y: rhs(y), (0, times[-1]), gd[0], method="DOP853", t_eval=times, rtol=1e-12, atol=1e-14)
    return sol.y.T
flow = integrate(lambda y: -grad(y))
mod = integrate(lambda y: -grad(y) - 0.5 * eta * hvp(y, grad(y)))
def e2e(theta):
    P = np.eye(n_in)
    for W in unflat(theta): P = W @ P
    return P
for name, path, col, lcol in [("flow", flow, "gap_flow", "loss_flow"), ("modified flow", mod, "gap_modified", "loss_modified")]:
    gaps = np.array([np.linalg.norm(e2e(gd[k]) - e2e(path[i])) for i, k in enumerate(steps)])
    lin = C[:, ch.index(col)]
    err = np.max(np.abs(gaps - lin))
    lerr = max(abs(loss(path[i]) - C[i, ch.index(lcol)]) / loss(path[i]) for i in range(len(steps)))
    print(f"compare, {name}: largest gap numpy {gaps.max():.6g} vs linflow {lin.max():.6g}; "
          f"max |gap diff| {err:.2e} (relative to the largest gap {err / gaps.max():.2e}); max rel. loss diff {lerr:.2e}")
