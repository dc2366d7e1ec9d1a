"""A consistent copy of a live data file through SQLite's online backup API.

The source connection opens one read transaction before copying and keeps it until the end, so
every step copies pages of the same snapshot: writers in other processes (the service, another
console) go on working and never make the copy restart or mix two states.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from mfa_console.core.backup.hooks import step, step_pages
from mfa_console.core.db.engine import BUSY_TIMEOUT_MS, translate_errors
from mfa_console.core.progress import Progress


@dataclass(frozen=True)
class SnapshotFacts:
    """What the snapshot holds, read inside the same transaction as the copy."""

    schema_revisions: tuple[str, ...]
    user_count: int
    install_id: str


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def read_facts(conn: sqlite3.Connection) -> SnapshotFacts:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revisions: tuple[str, ...] = ()
    if "alembic_version" in tables:
        revisions = tuple(
            sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
        )
    users = conn.execute("SELECT count(*) FROM users").fetchone()[0] if "users" in tables else 0
    install_id = ""
    if "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key='install_id'").fetchone()
        install_id = row[0] if row else ""
    return SnapshotFacts(revisions, int(users), install_id)


def copy_database(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress, text: str
) -> None:
    """Copy every page of ``source`` into ``target`` in steps; cancel rolls ``target`` back."""

    def on_step(_status: int, remaining: int, total: int) -> None:
        if remaining:
            step(progress, total - remaining, total, text)
        else:  # the last step has committed the copy: too late to cancel
            progress.report(total, total, text)

    source.backup(target, pages=step_pages(), progress=on_step)


def take_snapshot(source: Path, snapshot: Path, progress: Progress) -> SnapshotFacts:
    """Copy ``source`` (live, WAL) into the new file ``snapshot``; return what it holds."""
    with translate_errors(str(source)):
        src = connect(source)
        try:
            src.execute("BEGIN")  # one read transaction: one consistent snapshot for every step
            facts = read_facts(src)
            dst = sqlite3.connect(snapshot, isolation_level=None)
            try:
                # A new private file: it is fsynced once complete, before its rename, so no
                # journal and no syncs now; one exclusive lock instead of one per step.
                dst.execute("PRAGMA locking_mode=EXCLUSIVE")
                dst.execute("PRAGMA journal_mode=OFF")
                dst.execute("PRAGMA synchronous=OFF")
                copy_database(src, dst, progress, "Copying the data file")
            finally:
                dst.close()
            src.execute("COMMIT")
        finally:
            src.close()
    return facts
