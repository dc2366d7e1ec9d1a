"""Leases in the data file: one process does a job at a time; a dead holder's lease expires.

Synchronization, restore and the background service take a named lease (``sync``, ``restore``,
``service``). The holder renews it while it works. If the holder dies, another process may take it
at once when the holder ran on the same computer and is gone (``holder_gone``: its pid and start
time, since pids are reused); a holder on another computer is waited for until its lease expires.
The ``service`` lease doubles as the heartbeat of ``mfa-console service`` that the Status pane
shows.

Times come from the database's clock (``Database.now``): on PostgreSQL, consoles on several
machines compare expiry against one clock. Taking a lease is race-free on either engine: the row
is created if missing (``INSERT ... ON CONFLICT DO NOTHING``), then read ``FOR UPDATE`` inside the
write transaction, so two processes cannot both see it free.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from mfa_console.core import audit, processes
from mfa_console.core.db.base import Base, utcnow
from mfa_console.core.db.engine import Database
from mfa_console.core.errors import ConsoleError


class LeaseRow(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(128))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    renewed_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LeaseHeldError(ConsoleError):
    """Another process holds the lease; ``info`` says who and until when."""

    def __init__(self, info: LeaseInfo) -> None:
        self.info = info
        super().__init__(
            f"{info.description} is already running in another process ({info.actor} on "
            f"{info.host}, pid {info.pid}, since {info.acquired_at:%Y-%m-%d %H:%M:%S} UTC).",
            hint="Wait for it to finish; if that process died, its claim expires at "
            f"{info.expires_at:%H:%M:%S} UTC.",
        )


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    actor: str
    host: str
    pid: int
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime

    @property
    def description(self) -> str:
        return {
            "sync": "A synchronization",
            "restore": "A restore",
            "service": "The background service",
        }.get(self.name, f"The job {self.name!r}")

    @property
    def alive(self) -> bool:
        """Held now: not expired, and the holder is not known to be gone."""
        return self.expires_at > utcnow() and not holder_gone(self)


def holder_gone(info: LeaseInfo) -> bool:
    """True when the holder ran on this computer and its process no longer exists (same pid
    with another start time counts as gone)."""
    parts = info.holder.split(":")
    same = len(parts) > 3 and parts[1] == str(info.pid)
    return processes.gone(info.host, info.pid, parts[3] if same else None)


def holder_name_gone(holder: str) -> bool:
    """``holder_gone`` for a holder name ``host:pid:nonce[:start time]`` (as sync runs keep)."""
    parts = holder.split(":")
    if len(parts) < 3 or not parts[1].isdigit():
        return False
    started = parts[3] if len(parts) > 3 else None
    return processes.gone(parts[0], int(parts[1]), started)


def _info(row: LeaseRow) -> LeaseInfo:
    return LeaseInfo(
        row.name,
        row.holder,
        row.actor,
        row.host,
        row.pid,
        row.acquired_at,
        row.renewed_at,
        row.expires_at,
    )


class Lease:
    """A lease this process holds. Use as a context manager, or call ``release()``."""

    def __init__(self, db: Database, name: str, ttl: timedelta) -> None:
        self._db = db
        self.name = name
        self.ttl = ttl
        self.holder = ":".join(
            (socket.gethostname(), str(os.getpid()), uuid.uuid4().hex[:8], processes.own_start())
        )

    def acquire(self) -> Lease:
        with self._db.write() as session:
            now = self._db.now(session)
            row = self._claim_row(session, now)
            mine = row.holder == self.holder or row.holder in _ABANDONED
            if not mine and row.expires_at > now and not holder_gone(_info(row)):
                raise LeaseHeldError(_info(row))
            row.holder, row.actor = self.holder, audit.current_actor()
            row.host, row.pid = socket.gethostname(), os.getpid()
            row.acquired_at = row.renewed_at = now
            row.expires_at = now + self.ttl
        return self

    def _claim_row(self, session: Session, now: datetime) -> LeaseRow:
        """The lease's row, locked for this transaction; created (already expired) if missing."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        blank = {"holder": "", "actor": "", "host": "", "pid": 0}
        times = {"acquired_at": now, "renewed_at": now, "expires_at": now}
        session.execute(
            insert(LeaseRow)
            .values(name=self.name, **blank, **times)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        query = select(LeaseRow).where(LeaseRow.name == self.name).with_for_update()
        return session.execute(query.execution_options(populate_existing=True)).scalar_one()

    def renew(self) -> None:
        """Extend the lease; raises LeaseHeldError if another process took it meanwhile."""
        with self._db.write() as session:
            now = self._db.now(session)
            row = session.execute(
                select(LeaseRow).where(LeaseRow.name == self.name).with_for_update()
            ).scalar_one_or_none()
            if row is None or row.holder != self.holder:
                if row is not None and row.expires_at > now and not holder_gone(_info(row)):
                    raise LeaseHeldError(_info(row))
                raise ConsoleError(f"The {self.name} lease was lost; the work stopped safely.")
            row.renewed_at, row.expires_at = now, now + self.ttl

    def release(self) -> None:
        try:
            with self._db.write() as session:
                session.execute(
                    delete(LeaseRow).where(
                        LeaseRow.name == self.name, LeaseRow.holder == self.holder
                    )
                )
        except ConsoleError:
            # The database went away (a server down): this process may take the lease again
            # once it is back, instead of waiting for the claim to expire.
            _ABANDONED.add(self.holder)
            raise

    def __enter__(self) -> Lease:
        return self.acquire()

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        try:
            self.release()
        except ConsoleError:
            if exc_type is None:
                raise  # else the work's own error says what happened


# Holders of this process whose release could not be written: not "another process".
_ABANDONED: set[str] = set()


def clear_dead_holder(db: Database, name: str) -> bool:
    """Free ``name`` when its holder ran on this computer and its process is gone (killed or
    crashed), instead of waiting for the lease to expire. True when it was freed."""
    info = lease_info(db, name)
    if info is None or not info.alive or info.host != socket.gethostname():
        return False
    if not holder_gone(info):
        return False
    with db.write() as session:
        session.execute(
            delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == info.holder)
        )
    return True


def lease_info(db: Database, name: str) -> LeaseInfo | None:
    """Who holds ``name`` (even if expired), or None if nobody ever took it or it was released."""
    with db.read() as session:
        row = session.get(LeaseRow, name)
        return _info(row) if row else None
