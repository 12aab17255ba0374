#!/usr/bin/env python3
"""Work-precision: time against the error reached, for linflow and the solvers a researcher
would use instead, on the gradient flow of deep linear chains.

    scripts/bench/work_precision.py [--quick] [--only tiny,small,medium,large,deep] [--runs 3]
                                    [--budget 60] [--dir DIR] [--no-build] [--linflow PATH] [--figures docs/figures]
    (also: scripts/bench/run --only work-precision [--quick])

For each case and each rtol in 1e-4 … 1e-10 (atol = rtol/100, first step 1e-6) it runs
  linflow simulate  rkf45, rkck, rk8pd (max and rms norms), msadams (max), auto (max), dp45 and
                    dop853 (max, rms; each when the binary offers it);
  scipy solve_ivp   RK45, DOP853, LSODA (numpy RHS, scripts/bench/baselines/wp_scipy.py);
  JAX + diffrax     Tsit5, Dopri5, Dopri8 (float64, XLA, scripts/bench/baselines/wp_diffrax.py),
from the same start (row 0 of linflow's own trajectory) to the same T, and measures the error
of the final weights, max_i |w_i − w*_i| / max_i |w*_i|, against a reference w* from scipy's
DOP853 at rtol 1e-13, atol 1e-15 (and reports linflow's rk8pd at rtol 1e-13 against it).

Times: linflow "solve" is the time inside GSL's driver (the "integration" of its stderr
summary: steps and RHS evaluations, no data, set-up or rows); "compute" adds the rows; "process"
is the whole process. scipy: the solve_ivp call. diffrax: the jitted solve after compilation (the
compile is reported apart). Each point is the best of --runs (fewer when a point takes > 3 s);
a solver whose point takes longer than --budget seconds skips its tighter tolerances.
Writes DIR/wp-CASE.json, a markdown table per case (stdout and DIR/wp-tables.md), and a
log-log figure per case (gnuplot) into --figures.
"""
import argparse, json, math, os, re, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchenv  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--quick", action="store_true", help="rtol 1e-4, 1e-6, 1e-8, 1e-10 and shorter horizons")
ap.add_argument("--only", default="tiny,small,medium,large,deep")
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--budget", type=float, default=60.0, help="seconds; a solver slower than this at one rtol skips tighter ones")
ap.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "linflow-wp"))
ap.add_argument("--figures", default=None, help="where the PNG figures go (default: docs/figures)")
ap.add_argument("--no-build", action="store_true")
ap.add_argument("--linflow", default=None, help="the linflow binary to time (default: $LINFLOW, else the release build, built first)")
ap.add_argument("--no-peers", action="store_true", help="linflow only (reuses peers' results already in --dir)")
ap.add_argument("--rtols", default=None, help="comma-separated rtols (default 1e-4…1e-10 by decades; --quick: every other)")
ap.add_argument("--linflow-solvers", default=None, help="e.g. rkf45-max,dp45-rms (default: all of them)")
ap.add_argument("--scipy-methods", default="RK45,DOP853,LSODA", help="LSODA builds a dense finite-difference Jacobian if it finds the flow stiff: leave it out for large nets")
ap.add_argument("--tables-only", action="store_true", help="redo tables and figures from the results already in --dir")
args = ap.parse_args()

benchenv.need_tools("cc", "gnuplot", *([] if args.no_build else ["swift"]))
benchenv.ensure(jax=True)
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BASE = os.path.join(HERE, "baselines")
BIN = os.path.join(BASE, "bin")
# --linflow, else $LINFLOW, else the release build (brought up to date unless --no-build).
sys.path.insert(0, os.path.dirname(HERE))
from linflow_exe import locate  # noqa: E402
LINFLOW = locate(args.linflow, build=not args.no_build)
FIGS = args.figures or os.path.join(ROOT, "docs", "figures")
os.makedirs(args.dir, exist_ok=True)
D = lambda *p: os.path.join(args.dir, *p)
PEER_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

RTOLS = ([float(r) for r in args.rtols.split(",")] if args.rtols else
         [1e-4, 1e-6, 1e-8, 1e-10] if args.quick else [1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10])
ATOL_RATIO = 1e-2
LEVELS = [1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]
# name: (data, outputs, model args, T, quick T). Data: a built-in dataset or (N, inputs, outputs) for gen_data.
DEEP = ["--layers", ",".join(["64"] * 9), "--init", "orthogonal", "--init-scale", "0.9"]
CASES = {
    "tiny": ("seed-affine", 1, ["--hidden", "2"], 20000, 2000),
    "small": ("hierarchy", 15, ["--hidden", "16"], 40000, 4000),
    "medium": ((20000, 100, 10), 10, ["--hidden", "64"], 20, 5),
    "large": ((5000, 784, 10), 10, ["--hidden", "1000"], 20, 2),
    "deep": ((20000, 64, 64), 64, DEEP, 2, 0.5),
}
LINFLOW_SOLVERS = [("rkf45", "max"), ("rkf45", "rms"), ("rkck", "max"), ("rkck", "rms"), ("rk8pd", "max"),
                   ("rk8pd", "rms"), ("msadams", "max"), ("auto", "max")]
# linflow's own steppers (dp45_step.c, dop853_step.c): run when the binary under test offers them.
OWN_SOLVERS = [("dp45", "max"), ("dp45", "rms"), ("dop853", "max"), ("dop853", "rms")]
SCIPY = args.scipy_methods.split(",")
DIFFRAX = ["Tsit5", "Dopri5", "Dopri8"]


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"work_precision: error: {' '.join(map(str, cmd))} failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    return r


def linflow_offers(method):
    """Whether this linflow build has --method `method` (its help lists the values)."""
    return re.search(rf"\b{method}\b", sh([LINFLOW, "simulate", "--help"]).stdout) is not None


def build():
    os.makedirs(BIN, exist_ok=True)
    sh(["cc", "-O2", "-o", f"{BIN}/gen_data", f"{BASE}/gen_data.c", "-lm"])


def dataset(name):
    src = CASES[name][0]
    p = D(f"{name}.csv")
    if isinstance(src, str):
        sh([LINFLOW, "datasets", src, "-o", p])
    elif not os.path.exists(p):
        n, ni, no = src
        with open(p, "w") as f:
            subprocess.run([f"{BIN}/gen_data", str(n), str(ni), str(no), "1"], stdout=f, check=True)
    return p


def weight_columns(header_line):
    """The weight columns of a linflow CSV, by name (after t, loss and excess_loss)."""
    return [i for i, h in enumerate(header_line.strip().split(",")) if re.match(r"^[Wb]\d", h)]


def final_row(path):
    with open(path) as f:
        cols = weight_columns(f.readline())
        last = None
        for line in f:
            last = line
    cells = last.split(",")
    return np.array([float(cells[i]) for i in cols])


def first_row(path):
    with open(path) as f:
        cols = weight_columns(f.readline())
        cells = f.readline().split(",")
        return np.array([float(cells[i]) for i in cols])


SUMMARY = re.compile(r"(\d+) steps, (\d+) RHS evaluations, ([0-9.]+) s \(data ([0-9.]+) s, set-up ([0-9.]+) s, integration ([0-9.]+) s\)")


def run_linflow(base, extra, out):
    """(solve seconds = inside GSL's driver, process seconds, steps, RHS evaluations, compute seconds =
    wall − data − set-up, i.e. the solve plus the rows)."""
    start = time.perf_counter()
    r = subprocess.run(base + extra + ["-o", out], capture_output=True, text=True)
    proc = time.perf_counter() - start
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
    m = SUMMARY.search(r.stderr)
    steps, evals, wall, data, setup, solve = int(m[1]), int(m[2]), float(m[3]), float(m[4]), float(m[5]), float(m[6])
    return (solve, proc, steps, evals, wall - data - setup), None


def case(name):
    data, outputs, model, T, Tq = CASES[name]
    T = Tq if args.quick else T
    csv = dataset(name)
    base = [LINFLOW, "simulate", "--data", csv, "--outputs", str(outputs), *model, "--t-end", str(T),
            "--samples", "1", "--diagnostics", "none"]
    # The start every solver shares, and the peers' problem (correlations with numpy, untimed).
    start_csv = D(f"{name}-start.csv")
    r = sh(base[:base.index("--t-end")] + ["--t-end", str(T * 1e-12), "--samples", "1", "--diagnostics", "none", "-o", start_csv])
    sizes = [int(x) for x in re.search(r"linflow: ([0-9-]+) network", r.stderr)[1].split("-")]
    theta0 = first_row(start_csv)
    sys.path.insert(0, BASE)
    import common
    s11, s31, t33 = common.correlations(csv, outputs)
    np.savez(D(f"{name}-sigma.npz"), s11=s11, s31=s31, t33=t33)
    np.save(D(f"{name}-theta0.npy"), theta0)
    json.dump({"sizes": sizes, "sigma": D(f"{name}-sigma.npz"), "theta0": D(f"{name}-theta0.npy"), "h0": 1e-6,
               "times": [T]}, open(D(f"{name}.json"), "w"))
    rt = ",".join(f"{r:g}" for r in RTOLS)
    res = {"case": name, "sizes": sizes, "T": T, "unknowns": int(theta0.size), "points": {}, "load": os.getloadavg()[0]}
    prev = D(f"wp-{name}.json")
    if args.no_peers and os.path.exists(prev):
        old = json.load(open(prev))
        res["points"] = old["points"]  # the linflow solvers run now replace their own points
        res["reference"] = old["reference"]
        ref = np.load(D(f"{name}-reference.npy"))
    else:
        # The reference: scipy's DOP853 at rtol 1e-13.
        print(f"{name}: {'-'.join(map(str, sizes))}, {theta0.size} unknowns, T = {T}: reference (DOP853, rtol 1e-13)", flush=True)
        t0 = time.perf_counter()
        sh([sys.executable, f"{BASE}/wp_scipy.py", D(f"{name}.json"), D(f"{name}-ref.npz"), "--methods", "DOP853",
            "--rtols", "1e-13", "--atol-ratio", "1e-2", "--runs", "1", "--budget", "inf"], env=PEER_ENV, cwd=BASE)
        ref = np.load(D(f"{name}-ref.npz"))["DOP853:1e-13"]
        np.save(D(f"{name}-reference.npy"), ref)
        res["reference"] = {"solver": "scipy DOP853 rtol 1e-13 atol 1e-15", "seconds": time.perf_counter() - t0}
        for tool, script, methods in (("scipy", "wp_scipy.py", SCIPY), ("diffrax", "wp_diffrax.py", DIFFRAX)):
            print(f"{name}: {tool} {','.join(methods)}", flush=True)
            out = D(f"{name}-{tool}.npz")
            r = subprocess.run([sys.executable, f"{BASE}/{script}", D(f"{name}.json"), out, "--methods", ",".join(methods),
                                "--rtols", rt, "--runs", str(args.runs), "--budget", str(args.budget),
                                "--atol-ratio", str(ATOL_RATIO)], env=PEER_ENV, cwd=BASE, text=True,
                               stdout=sys.stdout, stderr=subprocess.PIPE)
            if r.returncode != 0:
                print(f"  {tool} failed: {r.stderr.strip()[-300:]}", flush=True)
                continue
            finals, meta = np.load(out), json.load(open(out + ".json"))
            for key, m in meta.items():
                if m.get("status") == "ok":
                    method, rtol = key.split(":")
                    m["error"] = rel_err(finals[key], ref)
                    res["points"][f"{tool} {method}:{rtol}"] = m
    # linflow's own very tight run against the reference: how far the reference can be trusted.
    c, err = run_linflow(base, ["--method", "rk8pd", "--rtol", "1e-13", "--atol", "1e-15"], D(f"{name}-rk8pd.csv"))
    if c:
        res["reference"]["linflow_rk8pd_1e-13_error"] = rel_err(final_row(D(f"{name}-rk8pd.csv")), ref)
    print(f"{name}: reference {res['reference']}", flush=True)
    solvers = LINFLOW_SOLVERS + [(m, n) for m, n in OWN_SOLVERS if linflow_offers(m)]
    if args.linflow_solvers:
        solvers = [tuple(x.split("-")) for x in args.linflow_solvers.split(",")]
    for method, norm in solvers:
        for rtol in RTOLS:
            key = f"linflow {method}-{norm}:{rtol:g}"
            best, spent, n = None, 0.0, 0
            while n < args.runs and (n == 0 or spent < 3.0):
                c, err = run_linflow(base, ["--method", method, "--error-norm", norm, "--rtol", f"{rtol:g}",
                                            "--atol", f"{rtol * ATOL_RATIO:g}"], D(f"{name}-lf.csv"))
                if c is None:
                    break
                spent += c[1]
                n += 1
                best = c if best is None or c[0] < best[0] else best
            if best is None:
                res["points"][key] = {"status": f"failed: {err}"}
                print(f"  {key}: {err}", flush=True)
                break
            e = rel_err(final_row(D(f"{name}-lf.csv")), ref)
            res["points"][key] = {"status": "ok", "seconds": best[0], "compute_seconds": best[4],
                                  "process_seconds": best[1], "steps": best[2], "nfev": best[3], "error": e, "runs": n}
            print(f"  {key}: solve {best[0]:.5f} s (compute {best[4]:.4f} s, process {best[1]:.3f} s), {best[3]} RHS, error {e:.2e}", flush=True)
            if best[0] > args.budget:
                break
    json.dump(res, open(D(f"wp-{name}.json"), "w"), indent=1)
    return res


def rel_err(w, ref):
    return float(np.abs(np.asarray(w) - ref).max() / np.abs(ref).max())


# RHS evaluations per diffrax step (tried steps; FSAL for the 5th-order pairs).
DIFFRAX_STAGES = {"Tsit5": 6, "Dopri5": 6, "Dopri8": 12}


def rhs_count(key, m):
    """RHS evaluations of a point: counted by linflow and scipy, stages × tried steps for diffrax."""
    if key.startswith("diffrax"):
        return DIFFRAX_STAGES[key.split(" ")[1].split(":")[0]] * m["steps"]
    return m["nfev"]


def curves(res, work="seconds"):
    """solver -> [(rtol, error, seconds or RHS evaluations)] sorted by rtol descending."""
    cs = {}
    for key, m in res["points"].items():
        if m.get("status") != "ok":
            continue
        solver, rtol = key.rsplit(":", 1)
        cs.setdefault(solver, []).append((float(rtol), m["error"], m["seconds"] if work == "seconds" else rhs_count(key, m)))
    return {s: sorted(v, reverse=True) for s, v in cs.items()}


def time_to(points, level):
    """The fastest run of a solver whose error is at most `level` (no interpolation)."""
    ok = [t for _, e, t in points if e <= level]
    return min(ok) if ok else None


def best(cs, prefix, level):
    ts = [(time_to(v, level), s) for s, v in cs.items() if s.startswith(prefix)]
    ts = [x for x in ts if x[0] is not None]
    return min(ts) if ts else (None, None)


def table(res):
    name = res["case"]
    cs = curves(res)
    small = name in ("tiny", "small")
    lines = [f"### {name}: {'-'.join(map(str, res['sizes']))}, {res['unknowns']} unknowns, T = {res['T']:g} "
             f"(load {res['load']:.1f} at start)", "",
             "| error ≤ | linflow best | fastest diffrax | fastest scipy | diffrax / linflow | scipy / linflow | target | |",
             "|---|---|---|---|---|---|---|---|"]
    for level in LEVELS:
        lf, lfs = best(cs, "linflow", level)
        dx, dxs = best(cs, "diffrax", level)
        sp, sps = best(cs, "scipy", level)
        f = lambda t, s: f"{t:.3g} s ({s.split(' ', 1)[1]})" if t is not None else "—"
        r = lambda t: f"{t / lf:.1f}×" if t is not None and lf is not None else "—"
        if small:
            target = "≥ 5× diffrax, ≥ 30× scipy"
            ok = lf is not None and (dx is None or dx / lf >= 5) and (sp is None or sp / lf >= 30)
        else:
            target = "≥ 1.5× fastest peer"
            peers = [t for t in (dx, sp) if t is not None]
            ok = lf is not None and (not peers or min(peers) / lf >= 1.5)
        verdict = "met" if ok else "NOT met"
        if lf is None or (dx is None and sp is None):
            verdict = "no data"
        lines.append(f"| {level:.0e} | {f(lf, lfs)} | {f(dx, dxs)} | {f(sp, sps)} | {r(dx)} | {r(sp)} | {target} | {verdict} |")
    ws = curves(res, "rhs")
    lines += ["", "RHS evaluations to reach the error (load-independent work; diffrax: stages × tried steps):", "",
              "| error ≤ | linflow best | diffrax best | scipy best | diffrax / linflow | scipy / linflow |", "|---|---|---|---|---|---|"]
    for level in LEVELS:
        (lf, lfs), (dx, dxs), (sp, sps) = (best(ws, p, level) for p in ("linflow", "diffrax", "scipy"))
        f = lambda n, s: f"{n} ({s.split(' ', 1)[1]})" if n is not None else "—"
        r = lambda n: f"{n / lf:.2f}×" if n is not None and lf else "—"
        lines.append(f"| {level:.0e} | {f(lf, lfs)} | {f(dx, dxs)} | {f(sp, sps)} | {r(dx)} | {r(sp)} |")
    # Time = work × cost per RHS: the cheapest RHS each tool reached over all its points (the
    # quietest moment of a loaded machine), to tell the two apart.
    per = {}
    for k, m in res["points"].items():
        if m.get("status") == "ok" and rhs_count(k, m):
            tool = k.split(" ")[0]
            per[tool] = min(per.get(tool, float("inf")), m["seconds"] / rhs_count(k, m))
    lines += ["", "Cheapest time per RHS evaluation seen: " + ", ".join(f"{t} {1e6 * v:.1f} µs" for t, v in sorted(per.items())) + "."]
    comp = [f"{k.split(' ')[1].split(':')[0]} {m['compile_seconds']:.2f} s" for k, m in res["points"].items()
            if k.startswith("diffrax") and "compile_seconds" in m]
    proc = [m["process_seconds"] for k, m in res["points"].items() if k.startswith("linflow") and m.get("status") == "ok"]
    lines += ["", f"diffrax compile (apart from the times above): {', '.join(comp) or '—'}; linflow whole process "
              f"{min(proc):.3g}–{max(proc):.3g} s; "
              f"reference {res['reference']['solver']} (linflow rk8pd at 1e-13 differs from it by "
              f"{res['reference'].get('linflow_rk8pd_1e-13_error', float('nan')):.1e})", ""]
    return "\n".join(lines)


# One colour per solver, the same in every case's figure: by the solver's place in the list of
# every solver this script can run (a solver outside it, from --linflow-solvers, takes grey).
SOLVER_COLOURS = dict(zip(
    [f"linflow {m}-{n}" for m, n in LINFLOW_SOLVERS + OWN_SOLVERS]
    + [f"diffrax {d}" for d in DIFFRAX] + [f"scipy {m}" for m in ("RK45", "DOP853", "LSODA")],
    ["#000000", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999",
     "#66c2a5", "#00bcd4", "#808000", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#1b9e77"]))


def colour(solver):
    return SOLVER_COLOURS.get(solver, "#bbbbbb")


def figure(res):
    name = res["case"]
    cs = curves(res)
    os.makedirs(FIGS, exist_ok=True)
    dat = D(f"wp-{name}.dat")
    order = sorted(cs, key=lambda s: (not s.startswith("linflow"), s))
    with open(dat, "w") as f:
        for s in order:
            f.write(f"# {s}\n")
            for rtol, e, t in cs[s]:
                f.write(f"{max(e, 1e-16):.6e} {t:.6e} {rtol:g}\n")
            f.write("\n\n")
    style = lambda s: ("lw 2 pt 7" if s.startswith("linflow") else "lw 1 dt 2 pt 4" if s.startswith("scipy") else "lw 1 dt 4 pt 6")
    plots = ", ".join(f"'{dat}' index {i} using 1:2 with linespoints {style(s)} lc rgb '{colour(s)}' title '{s}'"
                      for i, s in enumerate(order))
    png = os.path.join(FIGS, f"wp-{name}.png")
    script = f"""set terminal pngcairo size 900,600 font ',10'
set output '{png}'
set logscale xy
set format x '10^{{%L}}'
set format y '10^{{%L}}'
set xlabel 'error of the final weights (max |w - w*| / max |w*|)'
set ylabel 'solve time (s)'
set title 'work-precision, {name}: {'-'.join(map(str, res['sizes']))}, T = {res['T']:g} (better: lower, and further right = smaller error)'
set key outside right
set grid
set xrange [*:*] reverse
plot {plots}
"""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        print(f"gnuplot failed: {r.stderr.strip()}", flush=True)
    return png


if not args.tables_only:
    build()
tables = []
for name in args.only.split(","):
    if name in CASES:
        res = json.load(open(D(f"wp-{name}.json"))) if args.tables_only else case(name)
        t = table(res)
        print("\n" + t, flush=True)
        tables.append(t)
        print(f"figure: {figure(res)}", flush=True)
open(D("wp-tables.md"), "w").write("\n".join(tables))
print(f"\ntables: {D('wp-tables.md')}")
