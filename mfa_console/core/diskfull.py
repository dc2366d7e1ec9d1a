"""A full disk, wherever a write fails: one sentence that says so and where.

SQLite reports ``SQLITE_FULL`` (the engine translates it, see ``db.engine``); files written
directly (backups, exports, logs) raise ``OSError`` with ``ENOSPC`` or ``EDQUOT``. Both become a
``DiskFullError`` naming the file or folder that could not be written. The callers decide what
"nothing half-done" means for their operation (a backup removes its partial file, an import
reports the batches already written); this module only says what happened.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mfa_console.core.errors import DiskFullError

NEARLY_FULL = 1 << 20
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def is_full(exc: BaseException) -> bool:
    """True for a failed write whose cause is a full disk or quota (OS or SQLite)."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_FULL


def nearly_full(where: str | os.PathLike[str]) -> bool:
    """True when the disk holding ``where`` has (almost) no space left. SQLite reports some
    failed writes (the ``-shm`` file, a read-only open of a WAL file) as a generic I/O error:
    then the free space says whether the disk is the cause."""
    folder = Path(where)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.is_file():
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL
    except OSError:
        return False


def disk_full(where: str | os.PathLike[str], done: str = "") -> DiskFullError:
    """The error for a full disk while writing ``where`` (``done``: what was completed)."""
    place = str(where)
    folder = str(Path(place).parent) if place else ""
    message = f"The disk is full: cannot write {place}." if place else "The disk is full."
    if done:
        message = f"{message[:-1]}; {done}."
    hint = f"Free space on the disk that holds {folder}, then try again." if folder else ""
    return DiskFullError(message, where=place, hint=hint)


def raise_if_full(exc: BaseException, where: str | os.PathLike[str] | None) -> None:
    """Raise ``disk_full`` (from ``exc``) when ``exc`` is a full disk; otherwise return."""
    if is_full(exc):
        target = where or getattr(exc, "filename", None) or ""
        raise disk_full(target) from exc


@contextmanager
def reported(where: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a full disk inside the block into ``DiskFullError`` naming ``where``."""
    try:
        yield
    except OSError as exc:
        raise_if_full(exc, exc.filename or where)
        raise
