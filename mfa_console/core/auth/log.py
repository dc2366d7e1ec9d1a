"""The authentication log: one row per verification, written by every server of a group.

Ids are time-ordered UUIDs (48-bit milliseconds, then random bits, as UUIDv7), unique across
servers and cheap to index. Pages are keyset pages ordered by (time, id), newest first, each filter
served by its own index (``models.AuthLogRow``), so the first page of any filter costs the same at
5 million rows as at 5,000. Old rows are purged in batches so a purge never holds the write lock
for long.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.auth.results import SUCCESSES
from mfa_console.core.auth.settings import AuthSettings, load_in
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.progress import NullProgress, Progress, check_cancel

PAGE = 200
_INSERT = insert(AuthLogRow)
PURGE_BATCH = 5000


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


@dataclass(frozen=True)
class AuthLogEntry:
    """What a verification records; names and email are taken from the user when None."""

    username: str
    result: str
    reason: str = ""
    method: str = ""
    mode: str = ""
    server_name: str = ""
    server_ip: str = ""
    client_ip: str = ""
    application: str = ""
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    at: datetime | None = None
    id: uuid.UUID | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "id": str(self.id), "at": self.at.isoformat() if self.at else None,
            "username": self.username, "first_name": self.first_name or "",
            "last_name": self.last_name or "", "email": self.email or "", "method": self.method,
            "mode": self.mode, "result": self.result, "reason": self.reason,
            "server_name": self.server_name, "server_ip": self.server_ip,
            "client_ip": self.client_ip, "application": self.application,
        }  # fmt: skip


def write_entry(db: Database, entry: AuthLogEntry) -> None:
    with db.write() as session:
        add_entry(session, entry)


class _Named(Protocol):
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str: ...


def add_entry(
    session: Session | Connection,
    entry: AuthLogEntry,
    user: _Named | None = None,
    settings: AuthSettings | None = None,
) -> None:
    """Add ``entry`` in the caller's transaction (fills names from ``user`` or the users table)."""
    add_entries(session, [entry], settings, user)


def add_entries(
    session: Session | Connection,
    entries: Sequence[AuthLogEntry],
    settings: AuthSettings | None = None,
    user: _Named | None = None,
) -> None:
    """Add ``entries`` in one statement of the caller's transaction (a batch writer's rows)."""
    settings = settings or load_in(session, AuthSettings)
    rows = [_row(session, entry, user, settings) for entry in entries]
    conn = session.connection() if isinstance(session, Session) else session
    if rows:
        conn.execute(_INSERT, rows)  # Core, not the ORM's bulk insert: every request has a row


def _row(
    session: Session | Connection,
    entry: AuthLogEntry,
    user: _Named | None,
    settings: AuthSettings,
) -> dict[str, Any]:
    if user is None and (entry.first_name is None or entry.email is None):
        user = session.execute(
            select(UserRow.first_name, UserRow.last_name, UserRow.email).where(
                UserRow.username_key == entry.username.lower()
            )
        ).first()
    first, last, email = entry.first_name, entry.last_name, entry.email
    if user is not None:
        first = user.first_name if first is None else first
        last = user.last_name if last is None else last
        email = user.email if email is None else email
    if not settings.log_names:
        first = last = ""
    if not settings.log_email:
        email = ""
    return {
        "id": entry.id or uuid7(), "at": entry.at or utcnow(), "username": entry.username,
        "username_key": entry.username.lower(), "first_name": first or "",
        "last_name": last or "", "email": email or "", "method": entry.method,
        "mode": entry.mode, "result": entry.result, "reason": entry.reason,
        "server_name": entry.server_name, "server_ip": entry.server_ip,
        "client_ip": entry.client_ip, "application": entry.application,
    }  # fmt: skip


@dataclass(frozen=True)
class LogFilter:
    user: str = ""
    result: str = ""
    since: datetime | None = None
    until: datetime | None = None


Cursor = tuple[datetime, uuid.UUID]


def page(
    db: Database, where: LogFilter, after: Cursor | None = None, limit: int = PAGE
) -> list[AuthLogEntry]:
    """One page, newest first; ``after`` is the (time, id) of the last row of the page before."""
    query = _filtered(select(AuthLogRow), where)
    if after is not None:
        at, last_id = after
        query = query.where(
            (AuthLogRow.at < at) | ((AuthLogRow.at == at) & (AuthLogRow.id < last_id))
        )
    query = query.order_by(AuthLogRow.at.desc(), AuthLogRow.id.desc()).limit(limit)
    with db.read() as session:
        return [_entry(row) for row in session.scalars(query)]


def iterate(db: Database, where: LogFilter) -> Iterator[AuthLogEntry]:
    """Every matching row, newest first, page by page (flat memory for any size)."""
    after: Cursor | None = None
    while True:
        rows = page(db, where, after, 2000)
        yield from rows
        if len(rows) < 2000:
            return
        last = rows[-1]
        assert last.at is not None and last.id is not None
        after = (last.at, last.id)


def _filtered(query, where: LogFilter):  # type: ignore[no-untyped-def]
    if where.user:
        query = query.where(AuthLogRow.username_key == where.user.strip().lower())
    if where.result:
        query = query.where(AuthLogRow.result == where.result)
    if where.since is not None:
        query = query.where(AuthLogRow.at >= where.since)
    if where.until is not None:
        query = query.where(AuthLogRow.at < where.until)
    return query


def _entry(row: AuthLogRow) -> AuthLogEntry:
    return AuthLogEntry(
        id=row.id, at=row.at, username=row.username, first_name=row.first_name,
        last_name=row.last_name, email=row.email, method=row.method, mode=row.mode,
        result=row.result, reason=row.reason, server_name=row.server_name,
        server_ip=row.server_ip, client_ip=row.client_ip, application=row.application,
    )  # fmt: skip


def last_hour(db: Database, now: datetime | None = None) -> tuple[int, int]:
    """(successes, denials) of the last hour."""
    since = (now or utcnow()) - timedelta(hours=1)
    with db.read() as session:
        rows = session.execute(
            select(AuthLogRow.result, func.count())
            .where(AuthLogRow.at >= since)
            .group_by(AuthLogRow.result)
        ).all()
    successes = sum(n for result, n in rows if result in SUCCESSES)
    return successes, sum(n for _, n in rows) - successes


def purge(db: Database, older_than: datetime, progress: Progress | None = None) -> int:
    """Delete rows older than ``older_than`` in batches (short write transactions)."""
    progress = progress or NullProgress()
    total = 0
    while True:
        check_cancel(progress)
        with db.write() as session:
            ids = select(AuthLogRow.id).where(AuthLogRow.at < older_than).limit(PURGE_BATCH)
            result: Any = session.execute(delete(AuthLogRow).where(AuthLogRow.id.in_(ids)))
            done = int(result.rowcount)
        total += done
        if done < PURGE_BATCH:
            return total


def purge_expired(db: Database) -> int:
    with db.read() as session:
        days = load_in(session, AuthSettings).log_retention_days
    return purge(db, utcnow() - timedelta(days=days)) if days else 0
