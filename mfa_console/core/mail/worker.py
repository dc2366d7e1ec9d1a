"""The outbox worker: sends due messages in batches, one SMTP connection per batch, each once.

A message's state is committed around its send (see ``outbox.STATES``):

1. ``queued``: due messages are read in batches of ``BATCH_SIZE`` and sent over one connection.
2. After the server accepted MAIL FROM, RCPT TO and DATA, the row moves from ``queued`` to
   ``sending`` in a committed, conditional update, and only then do the body and its final "."
   leave (the server delivers nothing before that "."). If the row was no longer queued
   (discarded meanwhile), the connection is dropped before the "." and nothing is delivered.
3. After the server's 250 the row becomes ``sent`` (folded into the next message's commit, or
   committed at the end of the batch).
4. A recipient refused permanently (5xx) is ``failed`` with the server's reason and the batch goes
   on; a temporary refusal (4xx) is queued again with backoff. A connection that cannot be opened
   or breaks postpones the rest of the batch with backoff.

After a crash nothing is ever sent twice and nothing is lost silently. Rows still ``queued`` were
never sent (their body never left) and simply wait for the next run. Rows found in ``sending``
(only one worker runs at a time, under the ``mail`` lease, so they belong to a dead one) may or
may not have reached the server; as nothing may be sent twice, they become ``unconfirmed`` and are
not sent again unless an administrator chooses Retry. Only the few microseconds between the
commit and the write of the body can leave an undelivered message in that state; the rest of
the window (the server reading the body, its 250, the "sent" commit) covers delivered messages.
So an unconfirmed message was almost always delivered: at most once, and never silently lost.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease, LeaseRow, lease_info
from mfa_console.core.mail.batch import UNCONFIRMED_TEXT, Batch, SendReport
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow
from mfa_console.core.mail.settings import PASSWORD_KEY, EmailSettings
from mfa_console.core.mail.smtp import SmtpSender
from mfa_console.core.progress import NullProgress, Progress
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore

__all__ = ["SendReport", "due_now", "prune_sent", "recover_interrupted", "send_outbox"]

BATCH_SIZE = 1000
LEASE_TTL = timedelta(minutes=2)
SENT_RETENTION = timedelta(days=30)


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
    # Long enough that a slow server (each command may take the whole timeout) never lets the
    # lease expire between two renewals.
    ttl = max(LEASE_TTL, timedelta(seconds=settings.timeout * 8))
    with Lease(db, "mail", ttl) as lease:
        recover_interrupted(db)
        prune_sent(db)
        report.held = _held(db, settings)
        if not settings.configured:
            return report
        password = secrets.get(PASSWORD_KEY) if settings.username else None
        sender = SmtpSender(settings, password)
        batch = Batch(db, secrets, sender, report, progress, lease)
        while ids := _due_ids(db, settings, batch_size, batch.last_id):
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
    """Resolve rows a dead worker left in "sending" (call only while holding the mail lease)."""
    with db.write() as session:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == "sending")
            .values(state="unconfirmed", last_error=UNCONFIRMED_TEXT, updated_at=utcnow())
        )


def prune_sent(db: Database, keep: timedelta = SENT_RETENTION) -> None:
    """Forget sent messages older than ``keep`` (the outbox is not an archive), and the sealed
    bodies of sent messages a dead worker could not delete."""
    with db.write() as session:
        session.execute(
            delete(OutboxRow).where(OutboxRow.state == "sent", OutboxRow.sent_at < utcnow() - keep)
        )
        sent_sealed = select(OutboxRow.id).where(OutboxRow.state == "sent", OutboxRow.sealed)
        session.execute(delete(OutboxBodyRow).where(OutboxBodyRow.outbox_id.in_(sent_sealed)))


def _due(settings: EmailSettings) -> Any:
    due = (OutboxRow.state == "queued") & (OutboxRow.next_attempt_at <= utcnow())
    if not settings.send_to_users:
        due &= OutboxRow.audience != "user"
    return due


def _held(db: Database, settings: EmailSettings) -> int:
    if settings.send_to_users:
        return 0
    with db.read() as session:
        query = select(func.count(OutboxRow.id)).where(
            OutboxRow.state == "queued", OutboxRow.audience == "user"
        )
        return int(session.scalar(query) or 0)


def _due_ids(db: Database, settings: EmailSettings, limit: int, after: int) -> list[int]:
    """The next batch of due messages, oldest first (``after``: the last id of the previous)."""
    with db.read() as session:
        query = (
            select(OutboxRow.id)
            .where(_due(settings), OutboxRow.id > after)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def due_now(db: Database, when: datetime | None = None) -> None:
    """Make every waiting message due now (the Outbox's Send now, and tests)."""
    with db.write() as session:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == "queued")
            .values(next_attempt_at=when or utcnow())
        )
