#!/usr/bin/env python3
"""Independent check of held-out data and the teacher–student generator with numpy.

Without any of linflow's code:
  * `linflow datasets teacher`: numpy's least squares on the training file recovers the written
    teacher map within its standard errors, the residual variance is the noise's, the written
    singular values are the map's (numpy's SVD), the test file has the training file's columns;
  * `--test`: every row's test_loss of simulate, descend (with biases) and analytic is
    1/(2N) sum ||y - f(x)||^2 over the test file, f the row's layers applied to each sample
    (numpy, float64 with math.fsum), and compare's three test_loss columns equal their loss
    columns when the test file is the training file;
  * `--test-fraction`: the rule of docs/generalisation.md (SplitMix64 written out here) picks the
    held-out rows; the record's counts are those, and test_loss and loss are the losses of the
    held-out rows and of the others;
and prints the largest relative differences.

    python3 scripts/checks/check_heldout.py [--linflow PATH]
        (default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import argparse, csv, json, math, os, subprocess, sys, tempfile
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--linflow", default=None)
a = p.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402
exe = locate(a.linflow)
tmp = tempfile.mkdtemp()


def run(*args):
    subprocess.run([exe, *args], check=True, capture_output=True, text=True, cwd=tmp)


def table(name):
    with open(os.path.join(tmp, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def layers(header, row, sizes):
    """[(W_l, b_l)] of a trajectory row, by column name."""
    col = {h: i for i, h in enumerate(header)}
    out = []
    for l in range(1, len(sizes)):
        name = f"{l + 1}{l}"
        w = np.array([[row[col[f"W{name}_{i}_{j}"]] for j in range(1, sizes[l - 1] + 1)] for i in range(1, sizes[l] + 1)])
        b = np.array([row[col[f"b{name}_{i}"]] if f"b{name}_{i}" in col else 0.0 for i in range(1, sizes[l] + 1)])
        out.append((w, b))
    return out


def sample_loss(data, n, chain):
    h = data[:, :n].T
    for w, b in chain:
        h = w @ h + b[:, None]
    r = data[:, n:].T - h
    return math.fsum((r * r).ravel()) / (2 * data.shape[0])


def worst(header, traj, column, data, n, sizes):
    i = header.index(column)
    return max(abs(traj[k, i] - (ref := sample_loss(data, n, layers(header, traj[k], sizes)))) / max(ref, 1e-300)
               for k in range(traj.shape[0]))


# The generator against least squares.
run("datasets", "teacher", "--input-dim", "8", "--output-dim", "3", "--singular-values", "2.5,1,0.5", "--noise", "0.4",
    "--train-samples", "20000", "--test-samples", "500", "--seed", "3", "-o", "t.csv")
th, train = table("t.csv")
teh, test = table("t-test.csv")
wbar = np.loadtxt(os.path.join(tmp, "t-teacher.csv"), delimiter=",", ndmin=2)
sv = np.loadtxt(os.path.join(tmp, "t-singular-values.csv"), ndmin=1)
x, y = train[:, :8], train[:, 8:]
fit, *_ = np.linalg.lstsq(x, y, rcond=None)
se = 0.4 * np.sqrt(np.diag(np.linalg.inv(x.T @ x)))
z = np.abs(fit.T - wbar) / se[None, :]
resid = y - x @ fit
print(f"teacher: largest |W_lstsq - W_teacher| / standard error = {z.max():.2f} (expect < 5)")
print(f"teacher: noise variance {resid.var(ddof=0) * len(x) / (len(x) - 8):.5f} (0.16), "
      f"singular values |numpy - written| = {np.abs(np.linalg.svd(wbar, compute_uv=False) - sv).max():.1e}")
assert z.max() < 5 and abs(resid.var() - 0.16) < 5 * 0.16 * math.sqrt(2 / resid.size) and th == teh
assert np.abs(np.linalg.svd(wbar, compute_uv=False) - sv).max() < 1e-12

# --test on every command.
run("datasets", "teacher", "--input-dim", "6", "--output-dim", "2", "--noise", "0.3", "--train-samples", "40",
    "--test-samples", "400", "-o", "s.csv")
_, test = table("s-test.csv")
run("simulate", "--data", "s.csv", "--outputs", "2", "--test", "s-test.csv", "--layers", "6,4,3,2", "--init-scale", "0.3",
    "--t-end", "10", "--samples", "10", "-o", "sim.csv")
h, traj = table("sim.csv")
print(f"simulate --test (depth 3): largest relative |test_loss - numpy| = {(e1 := worst(h, traj, 'test_loss', test, 6, [6, 4, 3, 2])):.1e}")
run("descend", "--data", "s.csv", "--outputs", "2", "--test", "s-test.csv", "--hidden", "4", "--bias", "--init-scale", "0.3",
    "--lr", "0.02", "--steps", "200", "--every", "20", "-o", "gd.csv")
h, traj = table("gd.csv")
print(f"descend --test --bias: largest relative |test_loss - numpy| = {(e2 := worst(h, traj, 'test_loss', test, 6, [6, 4, 2])):.1e}")
run("datasets", "hierarchy", "-o", "h.csv")
hh, hier = table("h.csv")
rng = np.random.default_rng(0)
with open(os.path.join(tmp, "h-test.csv"), "w") as f:
    f.write(",".join(hh) + "\n")
    for r in hier + 0.1 * rng.standard_normal(hier.shape):
        f.write(",".join(repr(float(v)) for v in r) + "\n")
_, htest = table("h-test.csv")
run("analytic", "--data", "h.csv", "--outputs", "15", "--test", "h-test.csv", "--samples", "10", "--no-check", "-o", "an.csv")
h, traj = table("an.csv")
print(f"analytic --test: largest relative |test_loss - numpy| = {(e3 := worst(h, traj, 'test_loss', htest, 8, [8, 16, 15])):.1e}")
run("compare", "--data", "s.csv", "--outputs", "2", "--test", "s.csv", "--steps", "20", "--every", "5", "-o", "cmp.csv")
h, traj = table("cmp.csv")
same = all((traj[:, h.index(f"test_loss_{s}")] == traj[:, h.index(f"loss_{s}")]).all() for s in ("gd", "flow", "modified"))
print(f"compare --test (the training file): test_loss_* == loss_*: {same}")


# --test-fraction: the documented rule, written out.
def splitmix64(seed, i):
    m = (1 << 64) - 1
    z = (seed + (i + 1) * 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


run("datasets", "teacher", "--input-dim", "6", "--output-dim", "2", "--noise", "0.3", "--train-samples", "300", "-o", "f.csv")
_, rows = table("f.csv")
held = np.array([(splitmix64(5, i) >> 11) * 2.0 ** -53 < 0.2 for i in range(len(rows))])
run("simulate", "--data", "f.csv", "--outputs", "2", "--test-fraction", "0.2", "--split-seed", "5", "--hidden", "4",
    "--init-scale", "0.3", "--t-end", "10", "--samples", "10", "-o", "split.csv")
split = json.load(open(os.path.join(tmp, "split.csv.json")))["test"]["split"]
h, traj = table("split.csv")
e4 = worst(h, traj, "test_loss", rows[held], 6, [6, 4, 2])
e5 = worst(h, traj, "loss", rows[~held], 6, [6, 4, 2])
print(f"--test-fraction 0.2 --split-seed 5: held out {held.sum()} of {len(rows)} by the rule, the record says "
      f"{split['held_out']} of {split['rows']}; largest relative |test_loss - numpy| = {e4:.1e}, |loss - numpy| = {e5:.1e}")
ok = max(e1, e2, e3, e4, e5) < 1e-10 and same and split["held_out"] == held.sum() and split["training"] == (~held).sum()
print("ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
