"""Batch reads and writes of the data file for a sync run (executemany, one transaction a batch).

A batch writes its users, their ``sync_members`` rows, their per-user change rows and the email
queue entries in one transaction: a run interrupted between batches leaves only whole batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CursorResult, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from mfa_console.core.db.models import UserRow
from mfa_console.core.sync.models import SyncChangeRow, SyncMemberRow
from mfa_console.core.sync.plan import LANGUAGE_COLUMNS, SYNCED, Existing, digest, languages_key

_USERS: Table = UserRow.__table__  # type: ignore[assignment]


def load_existing(session: Session) -> dict[str, Existing]:
    """Every stored user with a directory id, keyed by it (streamed, digests only)."""
    columns = [getattr(UserRow, name) for name in SYNCED]
    languages = [getattr(UserRow, name) for name in LANGUAGE_COLUMNS]
    query = (
        select(
            UserRow.directory_id,
            UserRow.id,
            UserRow.version,
            UserRow.enabled,
            SyncMemberRow.user_id,
            SyncMemberRow.item_id,
            SyncMemberRow.disabled_by_sync,
            *columns,
            *languages,
        )
        .outerjoin(SyncMemberRow, SyncMemberRow.user_id == UserRow.id)
        .where(UserRow.directory_id.is_not(None))
        .execution_options(yield_per=2000)
    )
    width = len(SYNCED)
    found: dict[str, Existing] = {}
    for row in session.execute(query):
        synced = tuple(row[7 : 7 + width])
        found[row[0]] = Existing(
            user_id=row[1],
            version=row[2],
            digest=digest(synced),
            enabled=bool(row[3]),
            languages=languages_key(tuple(row[7 + width :])),
            managed=row[4] is not None,
            item_id=row[5],
            disabled_by_sync=bool(row[6]),
        )
    return found


def users_by_username(session: Session, keys: Iterable[str]) -> dict[str, tuple[int, str | None]]:
    """username_key -> (id, directory_id) for the keys that are taken."""
    wanted = list(set(keys))
    found: dict[str, tuple[int, str | None]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(UserRow.username_key, UserRow.id, UserRow.directory_id).where(
            UserRow.username_key.in_(chunk)
        )
        for key, user_id, directory_id in session.execute(query):
            found[key] = (user_id, directory_id)
    return found


def current_values(session: Session, user_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The synchronized columns of ``user_ids`` now (for the change details)."""
    columns = [getattr(UserRow, name) for name in (*SYNCED, *LANGUAGE_COLUMNS, "enabled")]
    names = [c.key for c in columns]
    query = select(UserRow.id, *columns).where(UserRow.id.in_(list(user_ids)))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(query)}


@dataclass
class Batch:
    """The writes of up to one batch of directory users."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    # (directory_id, reason) of inserted users to queue email for; (user_id, reason) for updates.
    email_new: list[tuple[str, str]] = field(default_factory=list)
    email_updated: list[tuple[int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.members)


def insert_users(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert users; returns directory_id -> new user id."""
    if not rows:
        return {}
    result = session.execute(insert(UserRow).returning(UserRow.id, UserRow.directory_id), rows)
    return {str(directory_id): int(user_id) for user_id, directory_id in result}


def update_users(session: Session, rows: list[dict[str, Any]]) -> int:
    """Update users whose version is still the one read; returns how many were written.

    Rows must share the same keys: ``b_id``, ``b_version`` and the new column values.
    """
    if not rows:
        return 0
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    written = 0
    for keys, group in by_keys.items():
        values: dict[str, Any] = {k: bindparam(k) for k in keys if not k.startswith("b_")}
        statement = (
            update(_USERS)
            .where(_USERS.c.id == bindparam("b_id"), _USERS.c.version == bindparam("b_version"))
            .values(**values, version=_USERS.c.version + 1)
        )
        result = session.connection().execute(statement, group)
        written += max(result.rowcount, 0)
    return written


def replace_members(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    ids = [row["user_id"] for row in rows]
    session.execute(delete(SyncMemberRow).where(SyncMemberRow.user_id.in_(ids)))
    session.execute(insert(SyncMemberRow), rows)


def add_changes(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(SyncChangeRow), rows)


def disable_users(session: Session, user_ids: Sequence[int], stamp: dict[str, Any]) -> int:
    if not user_ids:
        return 0
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(UserRow)
        .where(UserRow.id.in_(list(user_ids)), UserRow.enabled.is_(True))
        .values(enabled=False, version=UserRow.version + 1, **stamp)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(SyncMemberRow)
        .where(SyncMemberRow.user_id.in_(list(user_ids)))
        .values(disabled_by_sync=True)
        .execution_options(synchronize_session=False)
    )
    return max(result.rowcount, 0)


def remove_users(session: Session, user_ids: Sequence[int]) -> int:
    if not user_ids:
        return 0
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(UserRow)
        .where(UserRow.id.in_(list(user_ids)))
        .execution_options(synchronize_session=False)
    )
    return max(result.rowcount, 0)
