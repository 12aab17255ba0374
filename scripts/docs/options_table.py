#!/usr/bin/env python3
"""Prints docs/cli.md's table of options × commands from the built executable's own description
(`linflow CMD --experimental-dump-help`), so the table cannot drift from the code; a test
(OptionTableTests.docsTableMatchesTheExecutable) checks docs/cli.md against the same source.

    python3 scripts/docs/options_table.py [path/to/linflow]   (default: $LINFLOW, else the release build)
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from linflow_exe import locate  # noqa: E402

COMMANDS = ["simulate", "descend", "compare", "analytic", "theory", "stats", "datasets", "plot", "rerun", "export"]


def options(exe, command):
    out = subprocess.run([exe, command, "--experimental-dump-help"], check=True, capture_output=True).stdout
    found = []
    for a in json.loads(out)["command"].get("arguments", []):
        if a.get("kind") == "positional":
            continue
        # By kind, not length: plot's --x, --y, --z are long options of one letter.
        long = next((n["name"] for n in a.get("names", []) if n.get("kind") == "long"), None)
        if long and long not in ("help", "version"):
            found.append("--" + long)
    return found


def main():
    exe = locate(sys.argv[1] if len(sys.argv) > 1 else None)
    per = {c: options(exe, c) for c in COMMANDS}
    order = []
    for c in COMMANDS:
        for o in per[c]:
            if o not in order:
                order.append(o)
    print("| option | " + " | ".join(COMMANDS) + " |")
    print("|---|" + "---|" * len(COMMANDS))
    for o in order:
        print(f"| `{o}` | " + " | ".join("✓" if o in per[c] else "" for c in COMMANDS) + " |")


if __name__ == "__main__":
    main()
