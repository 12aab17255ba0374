"""The benchmarks' own Python: a virtual environment under scripts/bench/.venv (git-ignored) that
scripts/bench/run and scripts/bench/work_precision.py make and re-enter themselves, so that a fresh
machine needs nothing but python3 (with its venv module) and the system tools they name.

    ensure(jax=False)   # call before importing numpy & co.; re-executes the script in the venv

Every missing prerequisite ends the run with one line naming its install command, never a
traceback. The pinned versions are in scripts/bench/requirements-bench.txt (numpy, scipy, pandas,
threadpoolctl) and scripts/bench/requirements-jax.txt (jax with float64, diffrax)."""
import os
import shutil
import subprocess
import sys

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(SCRIPTS, ".venv")
VPY = os.path.join(VENV, "bin", "python")
REQ = {"base": os.path.join(SCRIPTS, "requirements-bench.txt"), "jax": os.path.join(SCRIPTS, "requirements-jax.txt")}
# What each requirement set must import once installed (the stamp check is this import).
PROBE = {"base": "import numpy, scipy, pandas, threadpoolctl", "jax": "import jax, diffrax"}
# System tools, with the Debian command that installs each.
TOOLS = {"hyperfine": "apt-get install -y hyperfine", "cc": "apt-get install -y gcc",
         "gnuplot": "apt-get install -y gnuplot-nox", "swift": "see README.md (Swift 6 toolchain)"}


def die(msg):
    print(f"{os.path.basename(sys.argv[0])}: error: {msg}", file=sys.stderr)
    sys.exit(69)  # EX_UNAVAILABLE


def need_tools(*names):
    for n in names:
        if shutil.which(n) is None:
            die(f"'{n}' not found; install it with: {TOOLS.get(n, n)}")
    # The C baselines need GSL's and OpenBLAS's headers, not only their libraries.
    if "cc" in names:
        for header, pkg in (("/usr/include/gsl/gsl_odeiv2.h", "libgsl-dev"), ("/usr/include/x86_64-linux-gnu/cblas.h", "libopenblas-dev")):
            alt = header.replace("/x86_64-linux-gnu", "")
            if not (os.path.exists(header) or os.path.exists(alt)):
                die(f"{os.path.basename(header)} not found; install it with: apt-get install -y {pkg}")


def _installed(kind):
    return subprocess.run([VPY, "-c", PROBE[kind]], capture_output=True).returncode == 0


def _install(kind):
    cmd = [VPY, "-m", "pip", "install", "-q", "-r", REQ[kind]]
    print(f"{os.path.basename(sys.argv[0])}: installing the {kind} Python packages into {VENV} ({' '.join(cmd[1:])})",
          file=sys.stderr, flush=True)
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["pip failed"])[-1]
        die(f"pip could not install {REQ[kind]} ({last}); run by hand: {' '.join(cmd)}")


def ensure(jax=False):
    """Runs the calling script inside scripts/bench/.venv with the packages it needs, installing
    them on first use. Returns only when already inside a complete venv."""
    kinds = ["base"] + (["jax"] if jax else [])
    inside = os.path.realpath(sys.prefix) == os.path.realpath(VENV)
    if not os.path.exists(VPY):
        r = subprocess.run([sys.executable, "-m", "venv", VENV], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(VPY):
            shutil.rmtree(VENV, ignore_errors=True)
            die(f"could not make a virtual environment ({sys.executable} -m venv {VENV}); "
                "install it with: apt-get install -y python3-venv")
    for k in kinds:
        if not _installed(k):
            _install(k)
            if not _installed(k):
                die(f"the {k} packages still do not import after installing; run: {VPY} -c '{PROBE[k]}'")
    if not inside:
        os.execv(VPY, [VPY, os.path.abspath(sys.argv[0]), *sys.argv[1:]])
