"""The outbox worker: sends due messages in batches, one SMTP connection per batch, each once.

States are committed around each send (see ``outbox.STATES``):

1. A batch is claimed: its rows go from ``queued`` to ``sending`` (with this worker's claim) in
   one commit.
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
again unless an administrator chooses Retry. Only the few microseconds between that commit and the
body's write can leave an undelivered message in this state; the rest of the window (the server
receiving the body, its 250, the "sent" commit) covers delivered messages. So an unconfirmed
message was almost always delivered: at most once, and never lost silently.
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
from mfa_console.core.mail.models import OutboxRow
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
        while ids := _claim(db, settings, batch_size, lease.holder):
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


def prune_sent(db: Database, keep: timedelta = SENT_RETENTION) -> None:
    """Forget sent messages older than ``keep``: the outbox is not an archive."""
    with db.write() as session:
        session.execute(
            delete(OutboxRow).where(OutboxRow.state == "sent", OutboxRow.sent_at < utcnow() - keep)
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
        query = select(func.count(OutboxRow.id)).where(
            OutboxRow.state == "queued", OutboxRow.audience == "user"
        )
        return int(session.scalar(query) or 0)


def _claim(db: Database, settings: EmailSettings, limit: int, holder: str) -> list[int]:
    with db.write() as session:
        query = select(OutboxRow.id).where(_due(settings)).order_by(OutboxRow.id).limit(limit)
        ids = list(session.scalars(query))
        if ids:
            session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(ids)).values(state="sending", claim=holder)
            )
        return ids


def due_now(db: Database, when: datetime | None = None) -> None:
    """Make every waiting message due now (the Outbox's Send now, and tests)."""
    with db.write() as session:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.state == "queued")
            .values(next_attempt_at=when or utcnow())
        )
