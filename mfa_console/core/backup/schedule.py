"""Scheduled backups: a settings group and the job the background service runs on its loop.

The schedule needs no table: the newest ``scheduled-*.mfabackup`` in the folder says when the last
one ran, and pruning keeps the newest ``keep`` of them (never a backup someone made by hand).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mfa_console.core import fileperms
from mfa_console.core.backup import files
from mfa_console.core.backup.create import BackupResult, default_name
from mfa_console.core.backup.guard import restore_in_progress
from mfa_console.core.backup.manifest import SUFFIX
from mfa_console.core.db.lease import Lease, LeaseHeldError
from mfa_console.core.errors import ValidationError

if TYPE_CHECKING:
    from mfa_console.core.services import Services

log = logging.getLogger(__name__)
PREFIX = "scheduled"
LEASE = "backup"


@dataclass(frozen=True)
class BackupScheduleSettings:
    """File > Back Up... > Schedule: back up every ``interval_hours`` into ``folder``."""

    SECTION: ClassVar[str] = "backup"
    LABELS: ClassVar[dict[str, str]] = {
        "enabled": "Back up the data file on a schedule",
        "interval_hours": "Back up every",
        "folder": "Folder",
        "keep": "Keep the newest",
    }
    enabled: bool = False
    interval_hours: int = 24
    folder: str = ""
    keep: int = 7

    def validate(self) -> None:
        problems = {}
        if not 1 <= self.interval_hours <= 24 * 31:
            problems["interval_hours"] = "must be between 1 hour and 31 days"
        if not 1 <= self.keep <= 1000:
            problems["keep"] = "keep between 1 and 1000 backups"
        if self.enabled and not self.folder.strip():
            problems["folder"] = "choose a folder for scheduled backups"
        if problems:
            raise ValidationError(problems)


def scheduled_backups(folder: Path, prefix: str = PREFIX) -> list[Path]:
    """Scheduled backups (or another ``prefix``'s) in ``folder``, newest first."""
    found = [p for p in folder.glob(f"{prefix}-*{SUFFIX}") if p.is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)  # the names carry the UTC time


def next_due(settings: BackupScheduleSettings, now: float | None = None) -> float | None:
    """When the next scheduled backup is due (a time.time() value), or None if not scheduled."""
    if not settings.enabled or not settings.folder:
        return None
    existing = scheduled_backups(Path(settings.folder)) if Path(settings.folder).is_dir() else []
    if not existing:
        return time.time() if now is None else now
    interval = timedelta(hours=settings.interval_hours).total_seconds()
    return existing[0].stat().st_mtime + interval


def run_scheduled_backup_if_due(
    services: Services, now: float | None = None
) -> BackupResult | None:
    """Make a scheduled backup if one is due; returns it, or None when nothing was done."""
    settings = services.settings.load(BackupScheduleSettings)
    now = time.time() if now is None else now
    due = next_due(settings, now)
    if due is None or due > now:
        return None
    if restore_in_progress(services.db):
        return None
    folder = Path(settings.folder).expanduser()
    fileperms.make_dirs(folder)
    try:
        with Lease(services.db, LEASE, timedelta(minutes=30)):
            result = services.backup.create(folder / default_name(_utc(now), prefix=PREFIX))
    except LeaseHeldError:
        return None  # another process is making it
    prune(folder, settings.keep)
    log.info("Scheduled backup written to %s", result.path)
    return result


def prune(folder: Path, keep: int, prefix: str = PREFIX) -> list[Path]:
    """Delete backups named ``prefix-*`` beyond the newest ``keep``, and the partial files of
    backups whose process is gone."""
    found = scheduled_backups(folder, prefix)
    removed = found[keep:]
    files.remove_quietly(removed)
    files.remove_leftovers(folder, "partial")
    for problem in fileperms.tighten_all([folder, *found[:keep]]):  # made by an older version
        log.warning("%s", problem)
    return removed


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
