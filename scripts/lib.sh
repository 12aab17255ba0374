# Sourced by the shell scripts. Sets ROOT (the repository) and defines
#   find_linflow [PATH]   sets LINFLOW_BIN to the linflow executable, found by
#                         scripts/linflow_exe.py (PATH if given, else $LINFLOW, else the release
#                         build brought up to date with `swift build -c release`), or ends the
#                         script with its one-line error;
#   linflow ARGS…         runs $LINFLOW_BIN.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

find_linflow() {
    LINFLOW_BIN=$(python3 "$ROOT/scripts/linflow_exe.py" "$@") || exit 1
}

linflow() { "$LINFLOW_BIN" "$@"; }

