"""Batch reads and writes of the data file for a sync run (executemany, one transaction a batch).

A batch writes its users, their ``sync_members`` rows, their per-user change rows and the email
queue entries in one transaction: a run interrupted between batches leaves only whole batches.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    CursorResult,
    String,
    Table,
    any_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from mfa_console.core.db.models import UserRow
from mfa_console.core.sync.models import SyncChangeRow, SyncMemberRow
from mfa_console.core.sync.plan import LANGUAGE_COLUMNS, SYNCED, Existing, digest, languages_key

_USERS: Table = UserRow.__table__  # type: ignore[assignment]
_MEMBERS: Table = SyncMemberRow.__table__  # type: ignore[assignment]
_CHANGES: Table = SyncChangeRow.__table__  # type: ignore[assignment]


def load_existing(session: Session, ids: list[str] | None = None) -> dict[str, Existing]:
    """Stored users with a directory id (all, or those of ``ids``) by that id; a few flags each."""
    query = (
        select(
            UserRow.directory_id,
            UserRow.id,
            UserRow.version,
            UserRow.enabled,
            SyncMemberRow.user_id,
            SyncMemberRow.item_id,
            SyncMemberRow.disabled_by_sync,
            SyncMemberRow.source_digest,
            SyncMemberRow.written_version,
        )
        .outerjoin(SyncMemberRow, SyncMemberRow.user_id == UserRow.id)
        .where(UserRow.directory_id.is_not(None))
        .execution_options(yield_per=5000)
    )
    if ids is not None:
        query = query.where(UserRow.directory_id.in_(ids))
    found: dict[str, Existing] = {}
    for (
        did,
        user_id,
        version,
        enabled,
        member,
        item_id,
        by_sync,
        source,
        written,
    ) in session.execute(query):
        found[str(did)] = Existing(
            user_id,
            version,
            bool(enabled),
            member is not None,
            item_id,
            bool(by_sync),
            source or 0,
            written or 0,
        )
    return found


def row_digests(session: Session, user_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """user id -> (digest of the synchronized columns, languages key), for comparing."""
    if not user_ids:
        return {}
    columns = [getattr(UserRow, name) for name in (*SYNCED, *LANGUAGE_COLUMNS)]
    width = len(SYNCED)
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        for row in session.execute(select(UserRow.id, *columns).where(UserRow.id.in_(chunk))):
            values = tuple(row[1:])
            found[row[0]] = (digest(values[:width]), languages_key(values[width:]))
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


def usernames(session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        query = select(UserRow.id, UserRow.username).where(UserRow.id.in_(chunk))
        found.update({user_id: name for user_id, name in session.execute(query)})
    return found


def current_values(session: Session, user_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The synchronized columns of ``user_ids`` now (for the change details)."""
    columns = [getattr(UserRow, name) for name in (*SYNCED, *LANGUAGE_COLUMNS, "enabled")]
    names = [c.key for c in columns]
    query = select(UserRow.id, *columns).where(UserRow.id.in_(list(user_ids)))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(query)}


MAX_SQL_VARIABLES = 32_000  # SQLite allows 32,766 bound values per statement (3.32 and newer)


@functools.cache
def _multi_insert_sql(columns: tuple[str, ...], count: int) -> str:
    row = "(" + ", ".join("?" for _ in columns) + ")"
    return f"INSERT INTO users ({', '.join(columns)}) VALUES {', '.join([row] * count)}"


def insert_users(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert users; returns directory_id -> new user id."""
    if not rows:
        return {}
    # Multi-row INSERTs, not executemany: the search index (FTS5, kept by triggers) flushes its
    # pending terms at the end of every statement, so one statement per row costs several times
    # more than one per chunk. The ids are then read back by the unique directory id.
    columns = [name for name in rows[0] if name in _USERS.c]  # rows also carry the writer's notes
    if session.get_bind().dialect.name == "postgresql":
        return _insert_users_returning(session, rows, columns)
    types = [_USERS.c[name].type for name in columns]
    processors = [t.bind_processor(session.get_bind().dialect) for t in types]
    chunk = max(1, MAX_SQL_VARIABLES // len(columns))
    connection = session.connection()
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        params: list[Any] = []
        for row in part:
            params.extend(
                p(row[name]) if p else row[name]
                for name, p in zip(columns, processors, strict=True)
            )
        connection.exec_driver_sql(_multi_insert_sql(tuple(columns), len(part)), tuple(params))
    ids = [row["directory_id"] for row in rows]
    query = select(_USERS.c.id, _USERS.c.directory_id).where(_USERS.c.directory_id.in_(ids))
    return {str(directory_id): int(user_id) for user_id, directory_id in session.execute(query)}


def _insert_users_returning(
    session: Session, rows: list[dict[str, Any]], columns: list[str]
) -> dict[str, int]:
    """PostgreSQL: COPY (no statement to parse, no parameters), then the ids read back."""
    names = ", ".join(columns)
    raw: Any = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY users ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
    ids = bindparam("ids", [row["directory_id"] for row in rows], type_=ARRAY(String))
    query = select(_USERS.c.id, _USERS.c.directory_id).where(_USERS.c.directory_id == any_(ids))
    return {str(directory_id): int(user_id) for user_id, directory_id in session.execute(query)}


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


def replace_members(
    session: Session, rows: list[dict[str, Any]], new_user_ids: set[int] | None = None
) -> None:
    """Write member rows; rows of users inserted in this batch need no delete first."""
    if not rows:
        return
    new_user_ids = new_user_ids or set()
    ids = [row["user_id"] for row in rows if row["user_id"] not in new_user_ids]
    if ids:
        session.execute(delete(SyncMemberRow).where(SyncMemberRow.user_id.in_(ids)))
    _insert_many(session, _MEMBERS, rows)


def add_changes(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        _insert_many(session, _CHANGES, rows)


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows of the same keys: COPY on PostgreSQL (no parameters to bind per row), else
    executemany."""
    if session.get_bind().dialect.name != "postgresql":
        session.connection().execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw: Any = session.connection().connection.dbapi_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


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
