"""Is a process that wrote its name into a file or a lease still running on this computer?

A process is named by its host, its pid and its start time: pids are reused, so a pid alone could
name an unrelated process started later. The start time comes from ``/proc`` on Linux and from
``ps`` on macOS and other Unix; on Windows it is unknown, and a holder is never declared gone there
(its lease simply expires).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from functools import cache


@cache
def own_start() -> str:
    """This process's start time token (empty when it cannot be known)."""
    return start_time(os.getpid()) or ""


def start_time(pid: int) -> str | None:
    """A token for when ``pid`` started (stable while it runs), or None if it does not exist or
    cannot be read."""
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        # The command name (field 2) may hold spaces and parentheses: split after the last ")".
        fields = data[data.rfind(b")") + 2 :].split()
        return fields[19].decode() if len(fields) > 19 else None
    if os.name == "posix":  # pragma: no cover - macOS and other Unix
        try:
            out = subprocess.run(
                ["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True, timeout=5
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return " ".join(out.stdout.split()) or None
    return None  # pragma: no cover - Windows


def exists(pid: int) -> bool:
    """True when ``pid`` exists (also when it belongs to another user)."""
    if os.name != "posix":  # pragma: no cover - os.kill would terminate it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def gone(host: str, pid: int, started: str | None) -> bool:
    """True only when we are sure: the process ran on this computer and is no longer running
    (no such pid, or the pid now belongs to a process started at another time)."""
    if os.name != "posix" or host != socket.gethostname():
        return False
    if pid == os.getpid():
        return bool(started) and started != own_start()
    if not exists(pid):
        return True
    if not started:
        return False
    current = start_time(pid)
    return current is not None and current != started
