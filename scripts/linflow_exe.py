#!/usr/bin/env python3
"""The one way the scripts find the linflow executable (Python scripts import it; scripts/lib.sh
runs it for the shell scripts). In this order:

  1. the path given on the script's command line, if any;
  2. $LINFLOW, if set;
  3. the release build, brought up to date with `swift build -c release` (its progress goes to
     stderr) and located with `swift build -c release --show-bin-path`;
  4. .build/release/linflow as it is, when swift is not at hand.

Anything else ends the script with one line on stderr saying what to do. Standard library only,
so that /usr/bin/python3 (scripts/checks/check_hdf5.py) can use it too.

    python3 scripts/linflow_exe.py [PATH]      # prints the absolute path of the executable
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def die(message):
    raise SystemExit(f"{os.path.basename(sys.argv[0])}: {message}")


def _usable(path, where):
    """The absolute path of `path` (a file, or a command on PATH), or the end of the script."""
    found = path if os.sep in path else shutil.which(path)
    if not found or not os.path.isfile(found):
        die(f"no linflow executable at {path} ({where}); build one with `swift build -c release` in {ROOT}")
    if not os.access(found, os.X_OK):
        die(f"{found} ({where}) is not executable")
    return os.path.abspath(found)


def locate(given=None, build=True):
    """Absolute path of the linflow executable: `given`, else $LINFLOW, else the release build
    (built first unless build=False), else .build/release/linflow."""
    if given:
        return _usable(given, "given on the command line")
    if os.environ.get("LINFLOW"):
        return _usable(os.environ["LINFLOW"], "$LINFLOW")
    release = os.path.join(ROOT, ".build", "release", "linflow")
    swift = shutil.which("swift")
    if swift and build:
        print(f"{os.path.basename(sys.argv[0])}: swift build -c release --product linflow (in {ROOT})",
              file=sys.stderr, flush=True)
        cmd = [swift, "build", "--package-path", ROOT, "-c", "release", "--product", "linflow"]
        if subprocess.run(cmd, stdout=sys.stderr).returncode != 0:
            die(f"`{' '.join(cmd)}` failed (see above); fix the build, or set LINFLOW to a linflow executable")
    if swift:
        out = subprocess.run([swift, "build", "--package-path", ROOT, "-c", "release", "--show-bin-path"],
                             capture_output=True, text=True)
        if out.returncode == 0 and os.path.isfile(os.path.join(out.stdout.strip(), "linflow")):
            return os.path.join(out.stdout.strip(), "linflow")
    if os.path.isfile(release):
        return _usable(release, "the release build")
    die("no linflow executable: swift is not on PATH and .build/release/linflow does not exist; "
        "install Swift and run `swift build -c release`, or set LINFLOW to a linflow executable")


if __name__ == "__main__":
    print(locate(sys.argv[1] if len(sys.argv) > 1 else None))
