"""The backup service the GUI and the command line use: the data file, the keyring, the audit.

It adds to the plain functions what only the running console knows: which data file is open, which
secrets this data file has in the keyring, and the audit trail entries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_console.core import audit
from mfa_console.core.backup.create import BackupResult, create_backup
from mfa_console.core.backup.errors import BackupError
from mfa_console.core.backup.manifest import known_secrets
from mfa_console.core.backup.restore import RestoreResult, restore_backup
from mfa_console.core.backup.schedule import BackupScheduleSettings
from mfa_console.core.backup.verify import VerifyResult, verify_backup
from mfa_console.core.db import Database, open_database
from mfa_console.core.errors import ConsoleError, SecretsUnavailableError
from mfa_console.core.keys import data_key, stored_fingerprint
from mfa_console.core.progress import Progress
from mfa_console.core.sealed_secrets import KEYRING_ONLY
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore

if TYPE_CHECKING:
    from mfa_console.core.db.transfer import TransferReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreReport:
    result: RestoreResult
    secrets_to_enter: tuple[str, ...]  # listed in the backup, missing from this machine's keyring
    key_needed: str = ""  # what to do when this machine lacks the backup's data key, else ""
    key_needed_command: str = ""  # the same for the command line (with its commands)

    def to_json(self) -> dict[str, object]:
        return {
            **self.result.to_json(),
            "secrets_to_enter": list(self.secrets_to_enter),
            "data_key_needed": self.key_needed_command,
        }


class BackupService:
    def __init__(self, db: Database, settings: SettingsStore | None = None) -> None:
        self._db = db
        self._settings = settings or SettingsStore(db)

    def schedule(self) -> BackupScheduleSettings:
        return self._settings.load(BackupScheduleSettings)

    def save_schedule(self, value: BackupScheduleSettings) -> None:
        self._settings.save(value)

    def data_file(self) -> Path | None:
        """The open SQLite data file, or None when the data is on a database server."""
        return self._db.path

    def data_location(self) -> str:
        """Where the data is (path or URL, no password): to open it again after a restore."""
        return self._db.url

    def backup_folder(self) -> Path:
        """Where backups go unless the administrator chooses: ``backups`` beside the data file
        (the home folder when the data is on a database server)."""
        path = self._db.path
        return path.parent / "backups" if path else Path.home()

    def move_to_postgres(
        self, url: str, password: str | None, progress: Progress | None = None
    ) -> TransferReport:
        """Copy everything into the empty PostgreSQL database at ``url`` and compare; this data
        file is only read. A password that worked is kept in the keyring."""
        from mfa_console.core.db import pgpass
        from mfa_console.core.db.engine import connect_postgres
        from mfa_console.core.db.transfer import copy_to_postgres

        target = connect_postgres(url, password)
        try:
            report = copy_to_postgres(self._db, target, progress)
        finally:
            target.dispose()
        if password is not None:
            pgpass.remember_password(target.url, password)
        return report

    def data_path(self) -> Path:
        path = self._db.path
        if path is None:
            raise BackupError(
                f"{self._db.display_name} is a database server, not a data file.",
                hint="Back it up with PostgreSQL's own tools (pg_dump, pg_restore): see "
                "docs/postgresql.md, Backups.",
            )
        return path

    def stored_secrets(self) -> tuple[str, ...]:
        """Names of this data file's keyring-only entries (all of them if the keyring is shut)."""
        store = SecretStore(self._db.install_id())
        names = [name for name in known_secrets() if name in KEYRING_ONLY]
        try:
            return tuple(name for name in names if store.has(name))
        except SecretsUnavailableError:
            return tuple(names)

    def data_key_fingerprint(self) -> str:
        with self._db.read() as session:
            return stored_fingerprint(session) or ""

    def create(self, destination: Path, progress: Progress | None = None) -> BackupResult:
        result = create_backup(
            self.data_path(),
            destination,
            secrets=self.stored_secrets(),
            progress=progress,
            data_key=self.data_key_fingerprint(),
        )
        self._record("backup.create", result)
        log.info("Backed up %d users to %s", result.manifest.user_count, result.path)
        return result

    def verify(self, path: Path, progress: Progress | None = None) -> VerifyResult:
        return verify_backup(path, progress=progress)

    def restore(self, path: Path, progress: Progress | None = None) -> RestoreReport:
        result = restore_backup(path, self.data_path(), progress=progress)
        log.info(
            "Restored %d users from %s (safety backup %s)",
            result.manifest.user_count, path, result.safety_backup,
        )  # fmt: skip
        key_needed = self._key_needed(result)
        return RestoreReport(
            result,
            self._missing_secrets(result),
            str(key_needed) if key_needed else "",
            key_needed.for_command_line() if key_needed else "",
        )

    def _key_needed(self, result: RestoreResult) -> ConsoleError | None:
        """Why the restored file's secrets cannot be opened (sealed under a key this machine
        lacks), and what to do; None when they can."""
        if not result.manifest.data_key:
            return None
        restored = open_database(result.target)
        try:
            data_key(restored, create=False)
        except ConsoleError as exc:
            return exc
        finally:
            restored.dispose()
        return None

    @staticmethod
    def _missing_secrets(result: RestoreResult) -> tuple[str, ...]:
        store = SecretStore(result.manifest.install_id)
        try:
            return tuple(name for name in result.manifest.secrets if not store.has(name))
        except SecretsUnavailableError:
            return result.manifest.secrets

    def _record(self, action: str, result: BackupResult) -> None:
        try:
            with self._db.write() as session:
                audit.record(session, action, str(result.path), None, {
                    "users": result.manifest.user_count, "sha256": result.manifest.sha256,
                })  # fmt: skip
        except ConsoleError as exc:
            # The backup is complete and safe; only its note in the trail is missing.
            log.warning("Backup %s made, but not recorded in the audit trail: %s", result.path, exc)


def restore_unopenable(
    data: str | None, backup: Path, progress: Progress | None = None
) -> RestoreResult:
    """Restore ``backup`` over the data file ``data`` names (a path, else the default) when that
    file cannot be opened at all; the file that could not be opened is kept beside it."""
    from mfa_console.core.db.engine import resolve_url, sqlite_path

    target = sqlite_path(resolve_url(data))
    if target is None:
        raise BackupError(
            "The data is on a database server, not in a data file.",
            hint="Restore it with PostgreSQL's own tools (docs/postgresql.md, Backups).",
        )
    return restore_backup(backup, target, progress=progress)
