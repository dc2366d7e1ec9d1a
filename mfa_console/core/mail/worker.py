"""The outbox worker: sends due messages in batches, one SMTP connection per batch, each once.

States are committed around each send (see ``outbox.STATES``):

1. A batch is claimed: its rows go from ``queued`` to ``sending`` in one commit.
2. For each message, after the server accepted MAIL, RCPT and DATA, the row becomes ``committing``
   (committed) and only then does the body leave; after the server's 250 it becomes ``sent``
   (committed while the server answers the next message's MAIL FROM, so that write costs no
   waiting, or at the end of the batch).
3. A recipient refused permanently (5xx) is ``failed`` with the server's reason and the batch goes
   on; a temporary refusal (4xx) is queued again with backoff. A broken connection puts the rest
   of the batch back in the queue with backoff.

After a crash (the next worker finds rows still ``sending`` or ``committing``; only one worker runs
at a time, under the ``mail`` lease): ``sending`` rows are queued again, which is safe because their
body never left, so the server cannot have delivered them. ``committing`` rows may or may not have
reached the server; as nothing may ever be sent twice, they become ``unconfirmed`` and are not sent
again unless an administrator chooses Retry. The window for that is the few microseconds between
the commit and the body's write plus the server's 250, so such messages were almost always
delivered.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease, LeaseRow, lease_info
from mfa_console.core.errors import CancelledError
from mfa_console.core.mail import seal
from mfa_console.core.mail.failures import Kind, SmtpFailure
from mfa_console.core.mail.models import OutboxRow
from mfa_console.core.mail.settings import PASSWORD_KEY, EmailSettings
from mfa_console.core.mail.smtp import SmtpConnection, SmtpSender
from mfa_console.core.progress import NullProgress, Progress
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore

BATCH_SIZE = 500
BACKOFF_BASE_S = 60
BACKOFF_MAX_S = 3600
MAX_ATTEMPTS = 10
LEASE_TTL = timedelta(minutes=2)
PER_MESSAGE = frozenset(
    {Kind.SENDER_REFUSED, Kind.RECIPIENT_REFUSED, Kind.MESSAGE_REFUSED, Kind.AUTH_REQUIRED}
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


def send_outbox(
    db: Database,
    secrets: SecretStore,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> SendReport:
    """Send every due message; raises LeaseHeldError if another process is sending."""
    progress = progress or NullProgress()
    settings = SettingsStore(db).load(EmailSettings)
    report = SendReport()
    _clear_dead_holder(db)
    with Lease(db, "mail", LEASE_TTL) as lease:
        recover_interrupted(db)
        report.held = _held(db, settings)
        if not settings.configured:
            return report
        password = secrets.get(PASSWORD_KEY) if settings.username else None
        sender = SmtpSender(settings, password)
        batch = _Batch(db, secrets, sender, report, progress, lease)
        while ids := _claim(db, settings, batch_size):
            if not batch.run(ids):
                break
    return report


def _clear_dead_holder(db: Database) -> None:
    """Free the mail lease of a worker on this computer that died (no need to wait for expiry)."""
    info = lease_info(db, "mail")
    if info is None or not info.alive or info.host != socket.gethostname() or _running(info.pid):
        return
    with db.write() as session:
        session.execute(
            delete(LeaseRow).where(LeaseRow.name == "mail", LeaseRow.holder == info.holder)
        )


def _running(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # os.kill would terminate it there: wait for the lease to expire instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def recover_interrupted(db: Database) -> None:
    """Resolve rows a dead worker left behind (call only while holding the mail lease)."""
    with db.write() as session:
        session.execute(
            update(OutboxRow).where(OutboxRow.state == "sending").values(state="queued")
        )
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == "committing")
            .values(state="unconfirmed", last_error=UNCONFIRMED_TEXT, updated_at=utcnow())
        )


def _due(settings: EmailSettings) -> Any:
    due = (OutboxRow.state == "queued") & (OutboxRow.next_attempt_at <= utcnow())
    if not settings.send_to_users:
        due &= OutboxRow.audience != "user"
    return due


def _held(db: Database, settings: EmailSettings) -> int:
    if settings.send_to_users:
        return 0
    with db.read() as session:
        query = select(OutboxRow.id).where(
            OutboxRow.state == "queued", OutboxRow.audience == "user"
        )
        return len(session.scalars(query).all())


def _claim(db: Database, settings: EmailSettings, limit: int) -> list[int]:
    with db.write() as session:
        query = select(OutboxRow.id).where(_due(settings)).order_by(OutboxRow.id).limit(limit)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(state="sending"))
        return ids


class _Batch:
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
                return self._send_all(conn, connection, rows, pending)
            except BaseException:
                self._flush_sent(conn)
                self._requeue(conn, pending, "", count_attempt=False)
                raise
            finally:
                connection.close()

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
                self._sent = row  # committed while the server answers the next MAIL FROM
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
            self._set(conn, row.id, state="committing")
            started = True

        raw = seal.unseal(self.secrets, row.content) if row.sealed else row.content
        try:
            smtp.deliver(
                raw, row.sender, row.recipient, before_data, lambda: self._flush_sent(conn)
            )
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
                **_wipe(row),
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
            .where(OutboxRow.id.in_(ids), OutboxRow.state.in_(("sending", "queued")))
            .values(**values)
        )
        conn.commit()
        self.report.retrying += len(ids)

    def _set(self, conn: Connection, row_id: int, **values: Any) -> None:
        """Commit one row's new state now (the hot path: twice per message)."""
        values.setdefault("updated_at", utcnow())
        if conn.dialect.name == "sqlite":
            # One statement in SQLite's autocommit mode is its own transaction; skipping the ORM
            # and Core layers here keeps the outbox close to a bare smtplib loop.
            columns = ", ".join(f"{name} = ?" for name in values)
            params = [_sqlite_value(v) for v in values.values()]
            raw: Any = conn.connection.dbapi_connection
            raw.execute(f"UPDATE mail_outbox SET {columns} WHERE id = ?", [*params, row_id])
            return
        conn.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))
        conn.commit()

    def _tick(self) -> None:
        done = self.report.sent + self.report.failed
        self.progress.report(done, None, f"{done} messages sent or failed")
        if time.monotonic() - self.renewed > LEASE_TTL.total_seconds() / 3:
            self.lease.renew()
            self.renewed = time.monotonic()


@contextmanager
def _checkpoint_after(conn: Connection) -> Iterator[None]:
    """Let SQLite's WAL grow during a batch and checkpoint once after it, not every 1000 pages."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw: Any = conn.connection.dbapi_connection
    raw.execute("PRAGMA wal_autocheckpoint=20000")
    try:
        yield
    finally:
        raw.execute("PRAGMA wal_autocheckpoint=1000")
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)")


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
    """Sealed content (it holds a PIN) is deleted once the message is done."""
    return {"content": None} if row.sealed else {}


def due_now(db: Database, when: datetime | None = None) -> None:
    """Make every waiting message due now (the Outbox's Send now, and tests)."""
    with db.write() as session:
        session.execute(
            update(OutboxRow)
            .where(or_(OutboxRow.state == "queued"))
            .values(next_attempt_at=when or utcnow())
        )
