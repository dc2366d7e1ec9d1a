#!/usr/bin/env bash
# Install MFA Console into .venv (with Qt's system libraries on Debian/Ubuntu as root) and open it
# on its default data file. Arguments go to mfa-console, e.g. scripts/run.sh --data other.db
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh run
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .
exec .venv/bin/mfa-console "$@"
