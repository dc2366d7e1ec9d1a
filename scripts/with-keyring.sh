#!/usr/bin/env bash
# Run a command with a real, unlocked Secret Service keyring (gnome-keyring) in a private HOME, then
# stop the keyring daemon by its PID. Call it inside dbus-run-session (scripts/test.sh does).
set -euo pipefail
work=$(mktemp -d)
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
printf 'test-keyring' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
keyring_pid=$!
cleanup() { kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# Wait until the Secret Service answers on the bus.
for _ in $(seq 1 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then break; fi
  sleep 0.1
done
status=0
"$@" || status=$?
exit "$status"
