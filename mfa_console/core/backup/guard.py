"""Who may write while a restore runs: nobody else. Checks other writers call before writing.

A restore holds the ``restore`` lease in the data file. The background service and other consoles
call ``ensure_not_restoring`` before a job or a save; a restore refuses to start while a
synchronization holds the ``sync`` lease.
"""

from __future__ import annotations

from sqlalchemy import delete

from mfa_console.core.backup.errors import RestoreInProgressError
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import LeaseHeldError, LeaseInfo, LeaseRow, holder_gone, lease_info

RESTORE_LEASE = "restore"
SYNC_LEASE = "sync"


def restore_in_progress(db: Database) -> bool:
    info = lease_info(db, RESTORE_LEASE)
    return info is not None and info.alive and not holder_is_dead(info)


def ensure_not_restoring(db: Database) -> None:
    """Raise ``RestoreInProgressError`` while another process restores this data file."""
    info = lease_info(db, RESTORE_LEASE)
    if info is not None and info.alive and not holder_is_dead(info):
        raise RestoreInProgressError(
            f"The data file is being restored by {info.actor} on {info.host} (pid {info.pid}).",
            hint="Wait until the restore has finished, then open the console again.",
        )


def ensure_no_sync(db: Database) -> None:
    """Raise ``LeaseHeldError`` while a synchronization runs (it must not be cut in half)."""
    info = lease_info(db, SYNC_LEASE)
    if info is not None and info.alive and not holder_is_dead(info):
        raise LeaseHeldError(info)


def holder_is_dead(info: LeaseInfo) -> bool:
    """True when the lease holder was a process on this machine that no longer exists."""
    return holder_gone(info)


def clear_dead_lease(db: Database, name: str) -> bool:
    """Remove ``name``'s lease if its holder died on this machine (killed mid-restore, say)."""
    info = lease_info(db, name)
    if info is None or info.expires_at <= utcnow() or not holder_is_dead(info):
        return False
    with db.write() as session:
        session.execute(
            delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == info.holder)
        )
    return True
