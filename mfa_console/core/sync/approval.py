"""Apply the disables and removals that waited for an administrator's approval."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from mfa_console.core import audit
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease
from mfa_console.core.db.models import UserRow
from mfa_console.core.sync import store
from mfa_console.core.sync.models import SyncChangeRow, SyncPendingRow, SyncRunRow
from mfa_console.core.sync.results import Counts, RunResult


def approve(db: Database, trigger: str = "approval") -> RunResult:
    """Carry out every pending action as one recorded run (under the ``sync`` lease)."""
    started = utcnow()
    counts = Counts()
    with Lease(db, "sync", timedelta(minutes=5)), db.write() as session:
        pending = session.execute(
            select(
                SyncPendingRow.user_id,
                SyncPendingRow.action,
                SyncPendingRow.reason,
                UserRow.username,
                UserRow.directory_id,
            ).join(UserRow, UserRow.id == SyncPendingRow.user_id)
        ).all()
        run = SyncRunRow(
            started_at=started,
            trigger=trigger,
            kind="approval",
            status="running",
            holder="",
            message="",
            **counts.as_dict(),
        )
        session.add(run)
        session.flush()
        stamp = {"updated_at": utcnow(), "updated_by": audit.current_actor()}
        disable = [p.user_id for p in pending if p.action == "disable"]
        remove = [p.user_id for p in pending if p.action == "remove"]
        counts.disabled = store.disable_users(session, disable, stamp)
        session.execute(delete(SyncPendingRow))
        counts.removed = store.remove_users(session, remove)
        store.add_changes(
            session,
            [
                {
                    "run_id": run.id,
                    "action": p.action,
                    "username": p.username,
                    "directory_id": p.directory_id or "",
                    "detail": f"approved: {p.reason}",
                }
                for p in pending
            ],
        )
        run.status, run.ended_at = "succeeded", utcnow()
        run.disabled, run.removed = counts.disabled, counts.removed
        audit.record(session, "sync.approve", f"run #{run.id}", None, counts.as_dict())
        run_id = run.id
    return RunResult(run_id, trigger, "approval", False, "succeeded", counts, started, utcnow())


__all__ = ["SyncChangeRow", "approve"]
