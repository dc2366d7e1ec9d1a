"""One batch of the outbox worker: due rows sent over one SMTP connection, states committed.

See ``worker`` for the state machine. Each message's move from ``queued`` to ``sending`` is a
conditional update committed just before its body leaves: if the row is no longer queued (an
administrator discarded it meanwhile, or another worker sent it), this worker drops the
connection before the body's final "." and the server delivers nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update

from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.db.lease import Lease
from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.mail import seal
from mfa_console.core.mail.failures import Kind, SmtpFailure
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow
from mfa_console.core.mail.smtp import SmtpConnection, SmtpSender
from mfa_console.core.progress import Progress
from mfa_console.core.secrets import SecretStore

BACKOFF_BASE_S = 60
BACKOFF_MAX_S = 3600
MAX_ATTEMPTS = 10
PER_MESSAGE = frozenset(
    {
        Kind.SENDER_REFUSED,
        Kind.RECIPIENT_REFUSED,
        Kind.MESSAGE_REFUSED,
        Kind.AUTH_REQUIRED,
        Kind.UNREADABLE,
    }
)
UNCONFIRMED_TEXT = (
    "The console stopped while the mail server was receiving this message or right after it, so "
    "it was probably delivered. It is not sent again automatically; Retry sends it again."
)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    unconfirmed: int = 0
    held: int = 0  # user messages waiting while Send emails to users is off
    error: str = ""  # why the server could not be used, if it could not

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S))


class _NoLongerQueued(Exception):
    """The row left the queue while its message was being sent: drop it without a final "."."""


class Batch:
    """Sends due rows over one connection per ``run``, committing each row's state around it."""

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        sender: SmtpSender,
        report: SendReport,
        progress: Progress,
        lease: Lease,
    ) -> None:
        self.db, self.secrets, self.sender = db, secrets, sender
        self.report, self.progress, self.lease = report, progress, lease
        self.renewed = time.monotonic()
        self._sent: Any = None  # delivered; marked "sent" with the next commit
        self.last_id = 0  # the last row handled: the next batch starts after it

    def run(self, ids: list[int]) -> bool:
        """Send ``ids``; False when the server could not be used (the rest stays queued)."""
        with (
            translate_errors(self.db),  # a full disk: one line, not a traceback
            self.db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            _wal_grows(conn),
        ):
            rows = _load(conn, ids)
            pending = [row_id for row_id in ids if row_id in rows]
            if not pending:  # all of them left the queue meanwhile
                self.last_id = ids[-1]
                return True
            try:
                connection = self.sender.open()
                connection.transcript.enabled = False
            except SmtpFailure as failure:
                self._postpone(conn, pending, failure.message)
                self.report.error = str(failure)
                return False
            try:
                ok = self._send_all(conn, connection, rows, pending)
            except _NoLongerQueued:
                # Dropped in the middle of DATA, without the final ".": the server discards the
                # message; the next batch starts over with a new connection.
                connection.abort()
                return True
            except BaseException:
                connection.abort()
                raise
            else:
                connection.close()
                return ok
            finally:
                self._flush_sent(conn)
                wipe_sent_sealed(conn)

    def _send_all(
        self, conn: Connection, smtp: SmtpConnection, rows: dict[int, Any], pending: list[int]
    ) -> bool:
        for row_id in list(pending):
            if self.progress.cancelled():
                self._flush_sent(conn)
                raise CancelledError()
            row = rows[row_id]
            self.last_id = row_id
            failure, started = self._send_one(conn, smtp, row)
            pending.remove(row_id)
            self._flush_sent(conn)
            if failure is None:
                self._sent = row
                self.report.sent += 1
            elif failure.kind in PER_MESSAGE:
                self._refused(conn, row, failure)
            else:
                self._broken(conn, row, failure, started, pending)
                return False
            self._tick()
        self._flush_sent(conn)
        return True

    def _send_one(
        self, conn: Connection, smtp: SmtpConnection, row: Any
    ) -> tuple[SmtpFailure | None, bool]:
        started = False

        def before_data() -> None:
            nonlocal started
            if not self._start(conn, row):
                raise _NoLongerQueued()
            started = True

        try:
            raw = seal.unseal(self.secrets, row.content) if row.sealed else row.content
        except ConsoleError as exc:
            return SmtpFailure(Kind.UNREADABLE, exc.message, hint=exc.hint), False
        try:
            smtp.deliver(raw, row.sender, row.recipient, before_data)
        except SmtpFailure as failure:
            return failure, started
        return None, started

    def _refused(self, conn: Connection, row: Any, failure: SmtpFailure) -> None:
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": str(failure)}
        if failure.temporary and attempts < MAX_ATTEMPTS:
            values |= {"state": "queued", "next_attempt_at": utcnow() + backoff(attempts)}
            self.report.retrying += 1
        else:
            values["state"] = "failed"
            self.report.failed += 1
        self._set(conn, row.id, **values)

    def _broken(
        self, conn: Connection, row: Any, failure: SmtpFailure, started: bool, pending: list[int]
    ) -> None:
        if started:
            # The body may have reached the server: never risk sending it twice.
            self._set(conn, row.id, state="unconfirmed", last_error=f"{failure} {UNCONFIRMED_TEXT}")
            self.report.unconfirmed += 1
        else:
            pending.insert(0, row.id)
        self._postpone(conn, pending, failure.message)
        pending.clear()
        self.report.error = str(failure)

    def _postpone(self, conn: Connection, ids: list[int], error: str) -> None:
        """The server could not be used: try these queued rows again after a backoff."""
        if not ids:
            return
        conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids), OutboxRow.state == "queued")
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error,
                next_attempt_at=utcnow() + backoff(1),
                updated_at=utcnow(),
            )
        )
        conn.commit()
        self.report.retrying += len(ids)

    # State writes: the hot path, one commit per message -----------------------------------
    def _start(self, conn: Connection, row: Any) -> bool:
        """Commit, at once: the previous message "sent", this one "sending" (if still queued).

        On SQLite one statement in autocommit mode is its own transaction, and skipping the ORM
        and Core layers keeps the outbox close to a bare smtplib loop. The price of folding the
        previous "sent" into this commit: after a crash, the last delivered message may still
        read "sending" and so becomes "unconfirmed" (never resent), like the one in flight.
        """
        previous, self._sent = self._sent, None
        now = utcnow()
        if conn.dialect.name != "sqlite":
            if previous is not None:
                self._set(conn, previous.id, state="sent", sent_at=now)
            return self._set(conn, row.id, state="sending", only_if="queued")
        raw: Any = conn.connection.dbapi_connection
        stamp = _sqlite_value(now)
        prev_id = previous.id if previous is not None else -1
        cursor = raw.execute(
            "UPDATE mail_outbox SET"
            " state = CASE id WHEN ? THEN 'sending' ELSE 'sent' END,"
            " sent_at = CASE id WHEN ? THEN sent_at ELSE ? END,"
            " updated_at = ?"
            " WHERE (id = ? AND state = 'queued') OR (id = ? AND state = 'sending')",
            [row.id, row.id, stamp, stamp, row.id, prev_id],
        )
        # Anything less than every row means this one was not queued any more: never send it.
        return bool(cursor.rowcount == (1 if previous is None else 2))

    def _flush_sent(self, conn: Connection) -> None:
        row, self._sent = self._sent, None
        if row is not None:
            self._set(conn, row.id, state="sent", sent_at=utcnow())

    def _set(self, conn: Connection, row_id: int, only_if: str = "", **values: Any) -> bool:
        """Commit one row's new state now; with ``only_if``, only from that state."""
        values.setdefault("updated_at", utcnow())
        query = update(OutboxRow).where(OutboxRow.id == row_id).values(**values)
        if only_if:
            query = query.where(OutboxRow.state == only_if)
        result: Any = conn.execute(query)
        conn.commit()
        return bool(result.rowcount)

    def _tick(self) -> None:
        done = self.report.sent + self.report.failed
        self.progress.report(done, None, f"{done} messages sent or failed")
        if time.monotonic() - self.renewed > self.lease.ttl.total_seconds() / 4:
            self.lease.renew()
            self.renewed = time.monotonic()


@contextmanager
def _wal_grows(conn: Connection) -> Iterator[None]:
    """Let SQLite's WAL grow during a batch instead of checkpointing every 1000 pages mid-send;
    the next ordinary commit after the batch checkpoints it."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw: Any = conn.connection.dbapi_connection
    raw.execute("PRAGMA wal_autocheckpoint=20000")
    try:
        yield
    finally:
        raw.execute("PRAGMA wal_autocheckpoint=1000")


def _load(conn: Connection, ids: list[int]) -> dict[int, Any]:
    query = (
        select(
            OutboxRow.id,
            OutboxRow.sender,
            OutboxRow.recipient,
            OutboxRow.sealed,
            OutboxBodyRow.content,
            OutboxRow.attempts,
        )
        .join(OutboxBodyRow, OutboxBodyRow.outbox_id == OutboxRow.id)
        .where(OutboxRow.id.in_(ids), OutboxRow.state == "queued")
    )
    rows = {row.id: row for row in conn.execute(query)}
    conn.commit()
    return rows


def _sqlite_value(value: Any) -> Any:
    # The text form SQLAlchemy's SQLite DateTime type stores and reads back.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def wipe_sent_sealed(conn: Connection) -> None:
    """Delete the sealed bodies (they hold a PIN) of messages that were sent."""
    sent_sealed = select(OutboxRow.id).where(OutboxRow.state == "sent", OutboxRow.sealed)
    conn.execute(delete(OutboxBodyRow).where(OutboxBodyRow.outbox_id.in_(sent_sealed)))
    conn.commit()
