"""Back up, verify and restore the data file, safely while the console and the service run.

The backup file format: one ZIP archive (``.mfabackup``) holding two members, ``data.sqlite`` (the
database, stored uncompressed) and ``manifest.json`` (program version, schema revisions, user
count, SHA-256 and size of ``data.sqlite``, creation time, source file and host, install id, and
the names of the keyring secrets a restore on another machine needs again). Why this format:

* Atomic: one file, written under a temporary name in the destination folder, fsynced, then renamed.
  A half-written archive has no central directory and is refused; there is no sidecar to lose or
  to pair with the wrong database.
* Verifiable: the manifest's SHA-256 covers the exact database bytes (anyone can check it with
  ``unzip`` and ``sha256sum``), the ZIP layer adds a CRC per member, and verification runs SQLite's
  ``PRAGMA integrity_check`` on the extracted copy.
* Open: any unzip tool gives back a plain SQLite file; nothing proprietary stands between an
  administrator and the data.
* Fast: stored, not compressed, so writing it is a page copy; the hash runs in a second thread.

The copy itself is SQLite's online backup API under one read transaction (``snapshot.py``): never a
file copy of a live WAL database. Restoring is described in ``restore.py``.
"""

from mfa_console.core.backup.archive import BackupResult, create_backup, default_name
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
