"""Small file operations that make writes durable and replacements atomic.

Temporary files carry the name of the process that writes them (host, pid, start time), so that
the next run can remove those of a process that was killed, and only those: a backup running at
the same time in another process keeps its file.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from mfa_console.core import processes

UNNAMED_STALE_SECONDS = 6 * 3600  # temporary files of older versions carry no process name
_TAGGED = re.compile(r"-(?P<host>[^/]+)~(?P<pid>\d+)~(?P<start>\w*)~[0-9a-f]{8}\.tmp")


def temp_name(target: Path, kind: str) -> Path:
    """A hidden, unique name next to ``target`` (same folder, so a rename is atomic), naming this
    process."""
    start = re.sub(r"\W", "", processes.own_start())
    tag = f"{socket.gethostname()}~{os.getpid()}~{start}~{secrets.token_hex(4)}"
    return target.with_name(f".{target.name}.{kind}-{tag}.tmp")


def remove_leftovers(folder: Path, kind: str) -> list[Path]:
    """Remove the temporary files of ``kind`` (and their -wal/-shm/-journal) that a process which
    no longer runs left in ``folder``; returns what was removed."""
    removed = []
    for path in folder.glob(f".*.{kind}-*.tmp*"):
        if _abandoned(path, kind):
            remove_quietly([path])
            removed.append(path)
    return removed


def _abandoned(path: Path, kind: str) -> bool:
    name = path.name
    for suffix in ("-wal", "-shm", "-journal"):
        name = name.removesuffix(suffix)
    tail = name[name.rfind(f".{kind}-") + len(kind) + 1 :]
    match = _TAGGED.fullmatch(tail)
    if match is None:  # an older version's name: only by age
        try:
            return time.time() - path.stat().st_mtime > UNNAMED_STALE_SECONDS
        except OSError:
            return False
    start = _start_of(int(match["pid"]))
    if match["host"] != socket.gethostname() or os.name != "posix":
        return False
    return not processes.exists(int(match["pid"])) or (
        bool(match["start"]) and start is not None and start != match["start"]
    )


def _start_of(pid: int) -> str | None:
    start = processes.start_time(pid)
    return None if start is None else re.sub(r"\W", "", start)


def fsync_fd(fd: int) -> None:
    """Flush ``fd`` to the disk itself (on macOS plain fsync stops at the drive's cache)."""
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass  # not supported by this file system: fall back to fsync
    os.fsync(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        fsync_fd(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sqlite_companions(path: Path) -> tuple[Path, Path, Path]:
    """The -wal, -shm and -journal files SQLite keeps beside ``path``."""
    return tuple(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))  # type: ignore[return-value]


def remove_quietly(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a leftover temporary file is harmless; never mask the real outcome
