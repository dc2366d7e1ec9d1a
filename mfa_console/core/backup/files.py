"""Small file operations that make writes durable and replacements atomic."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path


def temp_name(target: Path, kind: str) -> Path:
    """A hidden, unique name next to ``target`` (same folder, so a rename is atomic)."""
    return target.with_name(f".{target.name}.{kind}-{secrets.token_hex(4)}.tmp")


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
