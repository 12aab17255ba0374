#!/usr/bin/python3
"""Independent check of linflow's HDF5 trajectories with h5py (Debian's python3-h5py, which
.ci/run installs; run with /usr/bin/python3, whose dist-packages hold it).

1. The same run written as CSV and as .h5 (simulate with biases and modes, descend with the
   sharpness column, compare, analytic): every CSV column equals the h5py value it names
   (`W21_3_5` = W21[:, 2, 4]) bit for bit. Python's float() reads the CSV's shortest
   round-trip digits back to the exact double, so equal bits are the only way to pass.
2. `linflow export run.h5 --columns '*'` reproduces the CSV byte for byte; a subset keeps the
   file's column order; --weights none/W32 leave exactly those datasets out.
3. A failed run (--max-steps) leaves an existing .h5 untouched, no temporary file, and its
   rows in OUT.partial, which h5py reads, with the record's status "partial".
4. The peak RSS of a 784-1000-10 run to HDF5 does not grow with the number of rows (a row of
   its weights is 6.4 MB; 36 more rows held in memory would add 229 MB).

usage: /usr/bin/python3 scripts/checks/check_hdf5.py [path/to/linflow]
(default: $LINFLOW, else the release build, built first: scripts/linflow_exe.py)
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

LINFLOW = locate(sys.argv[1] if len(sys.argv) > 1 else None)
failures = []


def run(args, expect=0):
    r = subprocess.run([LINFLOW] + args, capture_output=True, text=True)
    if r.returncode != expect:
        raise SystemExit(f"linflow {' '.join(args)}: exit {r.returncode}, expected {expect}: {r.stderr}")
    return r


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def bits(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


def csv_columns(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header = rows[0]
    data = np.array([[float(x) for x in r] for r in rows[1:]], dtype=np.float64)
    return header, data


def same_numbers(csv_path, h5_path, what):
    header, data = csv_columns(csv_path)
    with h5py.File(h5_path, "r") as f:
        bad = []
        for j, name in enumerate(header):
            if name in f:  # a scalar block, whose name may have underscores (gap_flow_W21)
                block, index = name, ()
            else:
                parts = name.split("_")
                block, index = parts[0], tuple(int(p) - 1 for p in parts[1:])
            values = f[block][(slice(None),) + index]
            if values.shape != (data.shape[0],) or not np.array_equal(bits(values), bits(data[:, j])):
                bad.append(name)
        columns = sum(int(np.prod(f[k].shape[1:])) for k in f)
        status = f.attrs["result"] if "result" in f.attrs else None
    check(not bad and columns == len(header),
          f"{what}: {len(header)} CSV columns × {data.shape[0]} rows equal the .h5 datasets bit for bit"
          + (f" (differ: {bad[:5]})" if bad else "") + ("" if columns == len(header) else f" (.h5 has {columns} values a row)"))
    return status


def main():
    d = tempfile.mkdtemp(prefix="linflow-h5-")
    p = lambda name: os.path.join(d, name)

    # 1. Same run, two formats.
    cases = {
        "simulate": ["simulate", "--bias", "--modes", "--samples", "30", "--t-end", "40"],
        "descend": ["descend", "--steps", "60", "--every", "3"],
        "compare": ["compare", "--steps", "40"],
        "analytic": ["analytic", "--samples", "25", "--modes"],
    }
    for name, args in cases.items():
        run(args + ["-o", p(name + ".csv")])
        run(args + ["-o", p(name + ".h5")])
        same_numbers(p(name + ".csv"), p(name + ".h5"), name)
        with h5py.File(p(name + ".h5"), "r") as f:
            record = json.loads(f.attrs["run_record"])
            beside = json.load(open(p(name + ".h5.json")))
            check(record == beside and f.attrs["command"] == name and record["output"]["format"] == "hdf5",
                  f"{name}: the run record is stored in the file's attributes and beside it")
    with h5py.File(p("simulate.h5"), "r") as f:
        check(f["W21"].shape == (31, 16, 8) and f["b21"].shape == (31, 16) and f["W32"].shape == (31, 15, 16)
              and f["sv"].shape == (31, 8) and f["mode"].shape == (31, 8) and f["t"].shape == (31,),
              "simulate: dataset shapes (M+1)×n1×n0, (M+1)×n1, (M+1)×r")
        check(f["W21"].chunks[0] == 1 or f["W21"].chunks[0] * 16 * 8 * 8 <= 1 << 16, "W21 is chunked by rows")
        check(f["t"].maxshape == (None,), "datasets are extendible along the rows")

    # 2. export.
    run(["export", p("simulate.h5"), "--columns", "*", "-o", p("all.csv")])
    check(open(p("all.csv"), "rb").read() == open(p("simulate.csv"), "rb").read(),
          "export --columns '*' reproduces the CSV byte for byte")
    run(["export", p("simulate.h5"), "--columns", "W21_1_*,loss,t", "-o", p("part.csv")])
    header, data = csv_columns(p("part.csv"))
    with h5py.File(p("simulate.h5"), "r") as f:
        check(header == ["t", "loss"] + [f"W21_1_{c}" for c in range(1, 9)]
              and np.array_equal(bits(data[:, 2:]), bits(f["W21"][:, 0, :])),
              "export of t,loss,W21_1_*: the file's order, and W21[:, 0, :] bit for bit")
    run(["simulate", "--samples", "5", "--weights", "none", "-o", p("none.h5")])
    run(["simulate", "--samples", "5", "--weights", "W32", "-o", p("w32.h5")])
    with h5py.File(p("none.h5"), "r") as f, h5py.File(p("w32.h5"), "r") as g:
        check(sorted(f) == ["excess_loss", "imbalance", "loss", "sv", "t"] and sorted(g) == ["W32", "excess_loss", "imbalance", "loss", "sv", "t"],
              "--weights none and --weights W32 leave out exactly the other weight blocks")

    # 3. A failed run.
    with open(p("f.h5"), "w") as f:
        f.write("precious\n")
    r = run(["simulate", "--max-steps", "50", "--samples", "8", "-o", p("f.h5")], expect=3)
    left = sorted(os.listdir(d))
    with h5py.File(p("f.h5.partial"), "r") as f:
        rows = f["t"].shape[0]
        status = json.loads(f.attrs["result"])["status"]
        same = all(f[k].shape[0] == rows for k in f)
    check(open(p("f.h5")).read() == "precious\n" and rows >= 1 and same and status == "partial"
          and "f.h5.partial" in left and not any(n.startswith(".f.h5") for n in left)
          and f"{rows} rows written so far are in" in r.stderr and len(r.stderr.splitlines()) == 1,
          f"a failed run keeps the old .h5, leaves no temporary file, and its {rows} rows in f.h5.partial")

    # 4. Memory of one row.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 784))
    y = x[:, :10] + 0.1 * rng.standard_normal((200, 10))
    np.savetxt(p("big.csv"), np.hstack([x, y]), delimiter=",", fmt="%.6g")
    peak = {}
    for m in (4, 40):
        out = p(f"big{m}.h5")
        proc = subprocess.Popen([LINFLOW, "simulate", "--data", p("big.csv"), "--outputs", "10", "--hidden", "1000",
                                 "--t-end", "0.001", "--samples", str(m), "--diagnostics", "none", "-o", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"784-1000-10 run failed: {proc.stderr.read().decode()}")
        peak[m] = usage.ru_maxrss / 1024  # MiB
        with h5py.File(out, "r") as f:
            assert f["W21"].shape == (m + 1, 1000, 784)
        os.remove(out)
    growth = peak[40] - peak[4]
    print(f"     784-1000-10 to HDF5: peak RSS {peak[4]:.1f} MiB with 5 rows, {peak[40]:.1f} MiB with 41 rows")
    check(growth < 16, f"peak RSS grows by {growth:.1f} MiB for 36 more rows of 6.4 MB (limit 16 MiB)")

    return failures


if __name__ == "__main__":
    failed = main()
    if failed:
        print(f"check_hdf5: {len(failed)} failed: {failed}")
        sys.exit(1)
    print("check_hdf5: all passed")
