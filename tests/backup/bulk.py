"""Fill a data file with many users fast (one raw SQLite transaction), for tests and benches."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from mfa_console.core.db import open_database

METHOD_CYCLE = ("phone-call", "text-message", "mobile-app", "oath-token")
_COLUMNS = (
    "username, username_key, first_name, last_name, email, user_group, phone, extension, "
    "backup_phone, backup_extension, method, mode, pin_hash, pin_change_required, pin_history, "
    "language_phone_call, language_text_message, language_mobile_app, language_oath_token, "
    "enabled, source, directory_id, dn, created_at, updated_at, updated_by, version"
)


def _rows(start: int, count: int, prefix: str) -> Iterator[tuple[object, ...]]:
    now = "2026-11-20 10:00:00.000000"
    for i in range(start, start + count):
        name = f"{prefix}{i:06d}"
        method = METHOD_CYCLE[i % 4]
        mode = "otp" if method == "text-message" else "standard"
        phone = None if i % 10 == 0 else f"+1425555{i % 10000:04d}"
        yield (
            name, name.lower(), "First", f"Last{i}", f"{name}@example.test", "Staff", phone, "",
            None, "", method, mode, None, 0, "[]", "en", "en", "en", "en",
            0 if i % 7 == 0 else 1, "manual", None, None, now, now, "bulk", 1,
        )  # fmt: skip


def add_users(path: Path, count: int, *, prefix: str = "user", start: int = 0) -> None:
    """Create (if needed) and migrate ``path``, then insert ``count`` users in one transaction.

    Every 7th user is disabled, every 10th has no phone, methods cycle through the four.
    """
    open_database(path).dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" * 27)
        conn.executemany(
            f"INSERT INTO users ({_COLUMNS}) VALUES ({marks})", _rows(start, count, prefix)
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def usernames(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT username FROM users")}
    finally:
        conn.close()
