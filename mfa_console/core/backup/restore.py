"""Restore a backup over the data file, all or nothing.

Order: verify the backup into a staged file beside the target (refusing a damaged or newer one
before anything changes); migrate the staged copy to this program's schema; take the ``restore``
lease and refuse while a synchronization runs; back up the current file (the safety backup); then
replace the contents.

How the contents are replaced: when the target is a working data file, the staged database is
copied *into* it with SQLite's backup API, inside one write transaction of the target. A kill at
any moment leaves the old contents (the transaction never committed) or the new ones, and other
processes that have the file open (the service, another console) see the new contents on their
next read. Renaming a file over a database that other processes have open would not be safe: their
open handles and their ``-wal`` file would keep pointing at the old one, and SQLite's own
documentation lists that as a way to corrupt a database. When there is no usable target (none yet,
or a damaged one), nobody can have it open: the damaged file is kept aside under a new name, its
stale ``-wal``/``-shm`` are moved or removed, and the staged file is renamed into place atomically.

A killed restore leaves its staged copy (with ``-wal``/``-shm``) and perhaps a partial safety
backup; the next restore removes them once the process that wrote them is gone. Safety backups are
kept by the retention of scheduled backups (the newest ``keep``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from mfa_console.core import audit, fileperms
from mfa_console.core.backup import files
from mfa_console.core.backup.create import create_backup, default_name
from mfa_console.core.backup.errors import BackupTooNewError
from mfa_console.core.backup.guard import RESTORE_LEASE, clear_dead_lease, ensure_no_sync
from mfa_console.core.backup.hooks import Prefixed, step
from mfa_console.core.backup.manifest import Manifest
from mfa_console.core.backup.snapshot import connect, copy_database
from mfa_console.core.backup.verify import VerifyResult, verify_backup
from mfa_console.core.db import Database, open_database
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.db.lease import Lease, LeaseRow
from mfa_console.core.diskfull import disk_full, is_full
from mfa_console.core.errors import DataFileError, DataFileLockedError, SchemaTooNewError
from mfa_console.core.progress import NullProgress, Progress
from mfa_console.core.settings import SettingsStore

LEASE_TTL = timedelta(minutes=15)
SAFETY_PREFIX = "before-restore"


@dataclass(frozen=True)
class RestoreResult:
    backup: Path
    target: Path
    manifest: Manifest
    schema_before: tuple[str, ...]  # the backup's schema
    schema_after: str  # the restored file's schema (migrated)
    safety_backup: Path | None  # the data file as it was before the restore
    kept_unreadable: Path | None  # a data file that could not be opened, kept aside

    @property
    def migrated(self) -> bool:
        return ",".join(self.schema_before) != self.schema_after

    def to_json(self) -> dict[str, object]:
        return {
            "backup": str(self.backup),
            "data_file": str(self.target),
            "users": self.manifest.user_count,
            "backup_created_at": self.manifest.created_at,
            "backup_program_version": self.manifest.program_version,
            "schema_before": list(self.schema_before),
            "schema_after": self.schema_after,
            "migrated": self.migrated,
            "safety_backup": str(self.safety_backup) if self.safety_backup else None,
            "unreadable_file_kept": str(self.kept_unreadable) if self.kept_unreadable else None,
            "secrets": list(self.manifest.secrets),
        }


def restore_backup(
    backup: Path, target: Path, *, safety_dir: Path | None = None, progress: Progress | None = None
) -> RestoreResult:
    """Restore ``backup`` over the data file ``target`` (created if missing)."""
    progress = progress or NullProgress()
    fileperms.make_dirs(target.parent)
    safety_dir = safety_dir or target.parent / "backups"
    files.remove_leftovers(target.parent, "restore")
    if safety_dir.is_dir():
        files.remove_leftovers(safety_dir, "partial")
    staged = files.temp_name(target, "restore")
    try:
        try:
            fileperms.create_file(staged)
            verified = verify_backup(backup, extract_to=staged, progress=progress)
        except OSError as exc:
            if is_full(exc):
                raise disk_full(target.parent, "the restore did not start") from None
            raise
        _refuse_newer(verified)
        schema_after = _prepare(staged)
        safety, damaged = _replace(staged, target, safety_dir, progress)
    finally:
        files.remove_quietly([staged, *files.sqlite_companions(staged)])
    result = RestoreResult(
        backup, target, verified.manifest, verified.manifest.schema_revisions, schema_after,
        safety, damaged,
    )  # fmt: skip
    _record(target, result)
    return result


def _refuse_newer(verified: VerifyResult) -> None:
    if verified.unknown_revisions:
        raise BackupTooNewError(
            f"{verified.path} was made by a newer MFA Console "
            f"({verified.manifest.program_version}, schema "
            f"{', '.join(verified.unknown_revisions)}). Nothing was changed.",
            hint="Install that version (or newer) to restore it.",
        )


def _prepare(staged: Path) -> str:
    """Bring the staged copy to this program's schema and drop the leases it was taken with."""
    db = open_database(staged)  # migrates an older schema
    try:
        with db.write() as session:
            session.execute(delete(LeaseRow))
        revision = db.schema_revision()
    finally:
        db.dispose()
    conn = connect(staged)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    finally:
        conn.close()
    return revision


def _replace(
    staged: Path, target: Path, safety_dir: Path, progress: Progress
) -> tuple[Path | None, Path | None]:
    try:
        db = open_database(target, upgrade=False) if target.exists() else None
    except DataFileLockedError:
        raise
    except (DataFileError, SchemaTooNewError):
        db = None  # damaged or unreadable: nobody can be using it
    if db is None:
        return None, _swap_in(staged, target, progress)
    try:
        return _copy_into(db, staged, target, safety_dir, progress), None
    finally:
        db.dispose()


def _copy_into(
    db: Database, staged: Path, target: Path, safety_dir: Path, progress: Progress
) -> Path:
    clear_dead_lease(db, RESTORE_LEASE)
    with Lease(db, RESTORE_LEASE, LEASE_TTL):
        ensure_no_sync(db)
        fileperms.make_dirs(safety_dir)
        # Precise: two restores within one second must not overwrite one safety backup.
        name = safety_dir / default_name(prefix=SAFETY_PREFIX, precise=True)
        safety = create_backup(target, name, progress=Prefixed(progress, "Safety backup: ")).path
        _prune_safety_backups(db, safety_dir)
        with translate_errors(str(target)):
            source, dest = connect(staged), connect(target)
            try:
                copy_database(source, dest, progress, "Restoring the data file")
                dest.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                source.close()
                dest.close()
    step(progress, 1, 1, "Restored")
    return safety


def _prune_safety_backups(db: Database, folder: Path) -> None:
    """Keep the newest safety backups, as many as scheduled backups are kept."""
    from mfa_console.core.backup.schedule import BackupScheduleSettings, prune

    prune(folder, SettingsStore(db).load(BackupScheduleSettings).keep, prefix=SAFETY_PREFIX)


def _swap_in(staged: Path, target: Path, progress: Progress) -> Path | None:
    """Rename ``staged`` over a missing or damaged ``target``, keeping the damaged one aside."""
    step(progress, 0, None, "Replacing the data file")
    kept = None
    wal, shm, journal = files.sqlite_companions(target)
    if target.exists():
        kept = target.with_name(f"{target.name}.replaced-{datetime.now(UTC):%Y%m%d-%H%M%S}")
        _link_or_copy(target, kept)
        fileperms.tighten(kept)
        for companion, suffix in ((wal, "-wal"), (journal, "-journal")):
            if companion.exists():
                os.replace(companion, kept.with_name(kept.name + suffix))
    # The staged file is complete and checkpointed: no -wal/-shm/-journal may sit beside it.
    files.remove_quietly([wal, shm, journal])
    files.fsync_file(staged)
    os.replace(staged, target)
    files.fsync_dir(target.parent)
    return kept


def _link_or_copy(source: Path, copy: Path) -> None:
    try:
        os.link(source, copy)
    except OSError:
        shutil.copy2(source, copy)


def _record(target: Path, result: RestoreResult) -> None:
    db = open_database(target)
    try:
        with db.write() as session:
            audit.record(session, "backup.restore", str(result.backup), None, {
                "users": result.manifest.user_count,
                "backup_created_at": result.manifest.created_at,
                "safety_backup": str(result.safety_backup or ""),
            })  # fmt: skip
    finally:
        db.dispose()
