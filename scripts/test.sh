#!/usr/bin/env bash
# Install everything the tests need (Debian packages as root, Python packages in .venv), then run
# ruff, mypy, the import contracts (import-linter) and the whole test suite inside a private D-Bus
# session with a real Secret Service keyring, in parallel worker processes (pytest-xdist). Extra
# arguments go to pytest, e.g. scripts/test.sh -k users -x (or -n 0 for one process).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-packages.sh test

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# Byte-compile the sources once: the tests start the console (and their own actor processes) some
# hundreds of times, and where PYTHONDONTWRITEBYTECODE is set each start would compile them again.
.venv/bin/python -m compileall -q -j 0 mfa_console installer tests

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (Linux, and what can be checked of Windows and macOS here)"
.venv/bin/mypy
.venv/bin/mypy --platform win32
.venv/bin/mypy --platform darwin
echo "== import-linter"
.venv/bin/lint-imports
echo "== pytest"
# One worker per CPU, two at least. The workers share the one Samba AD DC of the machine
# (tests/services/samba_ad.py); tests/conftest.py says which tests share a worker.
workers=$(( $(nproc) > 2 ? $(nproc) : 2 ))
exec dbus-run-session -- scripts/with-keyring.sh .venv/bin/python -m pytest -n "$workers" "$@"
