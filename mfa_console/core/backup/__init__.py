"""Back up, verify and restore the data file, safely while the console and the service run.

The backup file format (``.mfabackup``, see ``container.py``): the database itself, exactly as
SQLite's online backup API wrote it, followed by ``manifest.json`` (program version, schema
revisions, user count, SHA-256 and size of the database bytes, creation time, source file and host,
install id, and the *names* of the keyring secrets a restore on another machine needs again) and a
32-byte footer that locates the manifest. Why this format rather than a ZIP archive or a sidecar:

* Atomic: one file, written under a temporary name in the destination folder, fsynced, then
  renamed. A file cut short has no footer and is refused; there is no sidecar to lose or to pair
  with the wrong database.
* Verifiable: the manifest's SHA-256 covers exactly the database bytes (``head -c SIZE FILE |
  sha256sum`` checks it by hand), and verification also runs ``PRAGMA integrity_check`` on the
  extracted copy and compares the user count.
* Open: SQLite takes the database size from its own header, so any SQLite tool opens a backup
  file directly (read-only) and the manifest is plain text at its end.
* Fast and light on the backup folder, often a network share: the data is written once, by the
  backup API, and read once to hash it. A ZIP would write it twice (a scratch copy, then the
  archive); that measured up to 1.9x the ``sqlite3`` tool's ``.backup`` time against about 1.2x.

The copy itself is SQLite's online backup API under one read transaction (``snapshot.py``): never a
file copy of a live WAL database. Restoring is described in ``restore.py``.
"""

from mfa_console.core.backup.create import BackupResult, create_backup, default_name
from mfa_console.core.backup.errors import (
    BackupCorruptError,
    BackupError,
    BackupTooNewError,
    RestoreInProgressError,
)
from mfa_console.core.backup.guard import ensure_not_restoring, restore_in_progress
from mfa_console.core.backup.manifest import SUFFIX, Manifest
from mfa_console.core.backup.restore import RestoreResult, restore_backup
from mfa_console.core.backup.schedule import BackupScheduleSettings, run_scheduled_backup_if_due
from mfa_console.core.backup.service import BackupService, RestoreReport
from mfa_console.core.backup.verify import VerifyResult, verify_backup

__all__ = [
    "SUFFIX",
    "BackupCorruptError",
    "BackupError",
    "BackupResult",
    "BackupScheduleSettings",
    "BackupService",
    "BackupTooNewError",
    "Manifest",
    "RestoreInProgressError",
    "RestoreReport",
    "RestoreResult",
    "VerifyResult",
    "create_backup",
    "default_name",
    "ensure_not_restoring",
    "restore_backup",
    "restore_in_progress",
    "run_scheduled_backup_if_due",
    "verify_backup",
]
