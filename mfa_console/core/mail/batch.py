"""One batch of the outbox worker: claimed rows sent over one SMTP connection, states committed.

See ``worker`` for the state machine. ``Batch.run`` sends the rows a worker claimed; every state
change is one committed statement guarded by the worker's claim, so a row another worker took
over (after this one's lease expired) is never sent by this one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, select, update

from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease
from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.mail import seal
from mfa_console.core.mail.failures import Kind, SmtpFailure
from mfa_console.core.mail.models import OutboxRow
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
    "The console stopped while the mail server was receiving this message, so it was probably "
    "delivered. It is not sent again automatically; Retry sends it again."
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


class OutboxTakenOverError(ConsoleError):
    """Another worker took this worker's rows (its lease had expired): stop without sending."""

    def __init__(self) -> None:
        super().__init__(
            "Another process took over sending the outbox; this one stopped without sending.",
            hint="Nothing was sent twice. Check that only one background service uses this data "
            "file.",
        )


class Batch:
    """Sends claimed rows over one connection, committing each row's state around its send."""

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
        self._sent: Any = None  # delivered; its "sent" not committed yet

    def run(self, ids: list[int]) -> bool:
        """Send ``ids``; False when the server could not be used (the rest stays queued)."""
        with (
            self.db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            _checkpoint_after(conn),
        ):
            rows = _load(conn, ids)
            pending = list(ids)
            try:
                connection = self.sender.open()
                connection.transcript.enabled = False
            except SmtpFailure as failure:
                self._requeue(conn, pending, failure.message, count_attempt=True)
                self.report.error = str(failure)
                return False
            try:
                ok = self._send_all(conn, connection, rows, pending)
            except BaseException:
                # Possibly in the middle of DATA: drop the connection without a final "." so the
                # server discards the message, then give back what this worker had claimed.
                connection.abort()
                self._flush_sent(conn)
                self._requeue(conn, pending, "", count_attempt=False)
                raise
            connection.close()
            return ok

    def _send_all(
        self, conn: Connection, smtp: SmtpConnection, rows: dict[int, Any], pending: list[int]
    ) -> bool:
        for row_id in list(pending):
            if self.progress.cancelled():
                self._flush_sent(conn)
                raise CancelledError()
            row = rows[row_id]
            failure, started = self._send_one(conn, smtp, row)
            pending.remove(row_id)
            self._flush_sent(conn)
            if failure is None:
                self._sent = row  # marked sent with the next message's "committing"
                self.report.sent += 1
            elif failure.kind in PER_MESSAGE:
                self._refused(conn, row, failure)
            else:
                self._broken(conn, row, failure, started, pending)
                return False
            self._tick()
        self._flush_sent(conn)
        return True

    def _flush_sent(self, conn: Connection) -> None:
        row, self._sent = self._sent, None
        if row is not None:
            self._set(conn, row.id, state="sent", sent_at=utcnow(), **_wipe(row))

    def _send_one(
        self, conn: Connection, smtp: SmtpConnection, row: Any
    ) -> tuple[SmtpFailure | None, bool]:
        started = False

        def before_data() -> None:
            nonlocal started
            if not self._commit_next(conn, row):
                raise OutboxTakenOverError()
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
        if failure.temporary and attempts < MAX_ATTEMPTS:
            due = utcnow() + backoff(attempts)
            self._set(
                conn,
                row.id,
                state="queued",
                attempts=attempts,
                next_attempt_at=due,
                last_error=str(failure),
            )
            self.report.retrying += 1
        else:
            self._set(
                conn,
                row.id,
                state="failed",
                attempts=attempts,
                last_error=str(failure),
            )
            self.report.failed += 1

    def _broken(
        self, conn: Connection, row: Any, failure: SmtpFailure, started: bool, pending: list[int]
    ) -> None:
        if started:
            # The body may have reached the server: never risk sending it twice.
            self._set(conn, row.id, state="unconfirmed", last_error=f"{failure} {UNCONFIRMED_TEXT}")
            self.report.unconfirmed += 1
        else:
            pending.insert(0, row.id)
        self._requeue(conn, pending, failure.message, count_attempt=True)
        pending.clear()
        self.report.error = str(failure)

    def _requeue(
        self, conn: Connection, ids: list[int], error: str, *, count_attempt: bool
    ) -> None:
        if not ids:
            return
        values: dict[str, Any] = {"state": "queued", "updated_at": utcnow()}
        if count_attempt:
            attempts = OutboxRow.attempts + 1
            values |= {"attempts": attempts, "last_error": error}
            values["next_attempt_at"] = utcnow() + backoff(1)
        conn.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(ids),
                OutboxRow.state == "sending",
                OutboxRow.claim == self.lease.holder,
            )
            .values(**values)
        )
        conn.commit()
        self.report.retrying += len(ids)

    def _commit_next(self, conn: Connection, row: Any) -> bool:
        """One commit: the previous message is "sent", this one "committing" (its body is next).

        One statement per message keeps the outbox close to a bare smtplib loop. The price: after
        a crash, the last delivered message may still read "committing" and so becomes
        "unconfirmed" (never resent), like the one in flight.
        """
        previous, self._sent = self._sent, None
        if previous is None:
            return self._set(conn, row.id, state="committing")
        now = utcnow()
        if conn.dialect.name == "sqlite":
            raw: Any = conn.connection.dbapi_connection
            stamp = _sqlite_value(now)
            cursor = raw.execute(
                "UPDATE mail_outbox SET"
                " state = CASE id WHEN ? THEN 'committing' ELSE 'sent' END,"
                " sent_at = CASE id WHEN ? THEN sent_at ELSE ? END,"
                " content = CASE WHEN id <> ? AND sealed THEN NULL ELSE content END,"
                " updated_at = ? WHERE id IN (?, ?) AND claim = ?",
                [row.id, row.id, stamp, row.id, stamp, previous.id, row.id, self.lease.holder],
            )
            return bool(cursor.rowcount == 2)
        result: Any = conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([previous.id, row.id]), OutboxRow.claim == self.lease.holder)
            .values(
                state=case((OutboxRow.id == row.id, "committing"), else_="sent"),
                sent_at=case((OutboxRow.id == row.id, OutboxRow.sent_at), else_=now),
                content=case(
                    (and_(OutboxRow.id != row.id, OutboxRow.sealed), None),
                    else_=OutboxRow.content,
                ),
                updated_at=now,
            )
        )
        conn.commit()
        return bool(result.rowcount == 2)

    def _set(self, conn: Connection, row_id: int, **values: Any) -> bool:
        """Commit one row's new state now, if this worker still owns the row's claim.

        This is the hot path (twice per message). On SQLite one statement in autocommit mode is
        its own transaction, so the ORM and Core layers are skipped to stay close to a bare
        smtplib loop. False: the row was taken over by another worker (never send it then).
        """
        values.setdefault("updated_at", utcnow())
        if conn.dialect.name == "sqlite":
            columns = ", ".join(f"{name} = ?" for name in values)
            params = [_sqlite_value(v) for v in values.values()]
            raw: Any = conn.connection.dbapi_connection
            cursor = raw.execute(
                f"UPDATE mail_outbox SET {columns} WHERE id = ? AND claim = ?",
                [*params, row_id, self.lease.holder],
            )
            return bool(cursor.rowcount)
        result: Any = conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.claim == self.lease.holder)
            .values(**values)
        )
        conn.commit()
        return bool(result.rowcount)

    def _tick(self) -> None:
        done = self.report.sent + self.report.failed
        self.progress.report(done, None, f"{done} messages sent or failed")
        if time.monotonic() - self.renewed > self.lease.ttl.total_seconds() / 4:
            self.lease.renew()
            self.renewed = time.monotonic()


@contextmanager
def _checkpoint_after(conn: Connection) -> Iterator[None]:
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
    query = select(
        OutboxRow.id,
        OutboxRow.sender,
        OutboxRow.recipient,
        OutboxRow.sealed,
        OutboxRow.content,
        OutboxRow.attempts,
    ).where(OutboxRow.id.in_(ids))
    rows = {row.id: row for row in conn.execute(query)}
    conn.commit()
    return rows


def _sqlite_value(value: Any) -> Any:
    # The text form SQLAlchemy's SQLite DateTime type stores and reads back.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _wipe(row: Any) -> dict[str, Any]:
    """Sealed content (it holds a PIN) is deleted once the message was sent."""
    return {"content": None} if row.sealed else {}
