#!/usr/bin/env python3
"""Random argument lists against the built linflow executable, for a bounded time.

Each run must end with a documented exit code (0, 3, 64, 65, 66, 73), never a signal; every
failure must print exactly one line on stderr starting with "linflow: error:". Runs are kept
small (short horizons, few samples, a cap of 300 GSL steps) so that many fit in the time given.
The cap matters for the implicit steppers: each of their steps builds a dense Jacobian from one
Hessian-vector product per weight, and an early run with 2000 steps of bsimp on the 368-weight
default network took over a minute (docs/reliability.md).

usage: scripts/fuzz/fuzz_arguments.py path/to/linflow SECONDS [SEED]
"""
import os
import random
import subprocess
import sys
import tempfile
import time

DOCUMENTED = {0, 3, 64, 65, 66, 73}


def main():
    exe, seconds = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    corpus = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "csv-corpus")
    files = [os.path.join(corpus, f) for f in sorted(os.listdir(corpus))] + ["/no/such.csv", "/tmp", ""]
    numbers = ["0", "-1", "1", "2", "3", "1e-3", "0.5", "nan", "inf", "-inf", "1e400", "abc", "", "8", "15",
               "99999999999999999999", "-0", "1e-300"]
    options = {
        "--data": files, "--outputs": numbers, "--dataset": ["hierarchy", "seed-affine", "nope", ""],
        "--hidden": numbers, "--layers": ["8,4,15", "8,15", "2,2,1", "8,,15", "a,b", "8,4,4,15", "0", "8"],
        "--seed": numbers, "--init-scale": numbers, "--init": files + ["lambda-balanced", "random"],
        "--lambda": numbers,
        "--method": ["rkf45", "rk8pd", "rk4", "bsimp", "msbdf", "euler", ""],
        "--rtol": numbers, "--atol": numbers, "--t-end": numbers, "--samples": numbers,
        "--max-steps": numbers, "--diagnostics": ["all", "sv", "none", "x"],
        "--error-norm": ["max", "rms", "l2", ""],
        "--lr": numbers, "--every": numbers, "--momentum": numbers, "--batch-size": numbers,
        "--shuffle-seed": numbers, "--bias": None, "--modes": None, "--no-sharpness": None,
        "--form": ["auto", "modes", "riccati", "x"], "--no-check": None,
        "--inputs": numbers + ["x", "c1,c2", "c*", "a,,b", "*"], "--header": ["auto", "yes", "no", "x", ""],
        "--delimiter": ["comma", "tab", "semicolon", ";", "|", "ab", "5", ""],
        "--test": files, "--test-fraction": numbers, "--split-seed": numbers,
        "--input-dim": numbers, "--output-dim": numbers, "--rank": numbers, "--scale": numbers, "--noise": numbers,
        "--train-samples": numbers, "--test-samples": numbers,
        "--singular-values": ["1,2", "2", "a", "", "0", "1,,2"], "--input-spectrum": ["1,2", "1", "x", "", "-1"],
        "--depth": numbers,
    }
    options["--outputs"] = numbers + ["y", "c2", "c*", "?", "x,y"]
    subcommands = ["simulate", "descend", "compare", "analytic", "theory", "stats", "datasets", "bogus", ""]
    start, runs, failures = time.time(), 0, []
    with tempfile.TemporaryDirectory() as d:
        while time.time() - start < seconds:
            sub = rng.choice(subcommands)
            args = [sub] if sub else []
            for opt in rng.sample(sorted(options), rng.randint(0, 5)):
                if options[opt] is None:
                    args.append(opt)
                    continue
                v = rng.choice(options[opt])
                args += [f"{opt}={v}"] if rng.random() < 0.5 else [opt, v]
            # The last value of an option wins: these caps keep every run short.
            if sub in ("simulate", "compare"):
                args += ["--max-steps", "300"]
            if sub in ("simulate", "analytic", "theory"):
                args += ["--samples", "3", "-o", os.path.join(d, "out.csv")]
                if "--t-end" not in " ".join(args):
                    args += ["--t-end", "2"]
            if sub in ("descend", "compare"):
                args += ["--steps", "20", "-o", os.path.join(d, "out.csv")]
            try:
                r = subprocess.run([exe] + args, capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                failures.append((args, "timeout"))
                continue
            runs += 1
            # Warnings and notes (e.g. a step beyond the stability edge) may precede the error.
            lines = [l for l in r.stderr.strip().split("\n")
                     if not l.startswith(("linflow: warning:", "linflow: note:"))]
            if r.returncode < 0 or r.returncode not in DOCUMENTED:
                failures.append((args, f"exit {r.returncode}: {r.stderr[-300:]}"))
            elif r.returncode != 0 and not (len(lines) == 1 and lines[0].startswith("linflow: error:")):
                failures.append((args, f"stderr not one error line: {r.stderr[:300]!r}"))
    for args, why in failures[:20]:
        print("FAIL", args, why)
    print(f"argument fuzz: {runs} runs, {len(failures)} failures")
    print(f"{runs - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
