"""The console's services over one open data file: the type every face (GUI, command line,
background service) and core's own jobs are handed. Built by the composition root (``app.py``).

Feature services are built on first use, so opening the console costs only what the first pane
needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mfa_console.core.db import Database
from mfa_console.core.email_queue import outbox_notice, outbox_queue
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore
from mfa_console.core.users.service import UserService

if TYPE_CHECKING:  # feature services are imported when first used, not at start
    from mfa_console.core.activation.service import ActivationService
    from mfa_console.core.auditlog import AuditLog
    from mfa_console.core.auth.service import AuthService
    from mfa_console.core.backup import BackupService
    from mfa_console.core.directory.service import DirectoryService
    from mfa_console.core.mail.service import MailService
    from mfa_console.core.radius.service import RadiusService
    from mfa_console.core.sync.service import SyncService


@dataclass
class Services:
    """The console's services over one open data file."""

    db: Database

    @cached_property
    def settings(self) -> SettingsStore:
        return SettingsStore(self.db)

    @cached_property
    def secrets(self) -> SecretStore:
        """Named secrets sealed in the data file (old keyring entries move in on first use)."""
        from mfa_console.core.sealed_secrets import SealedSecretStore, move_keyring_entries

        namespace = self.db.install_id()
        move_keyring_entries(self.db, namespace)
        return SealedSecretStore(namespace, db=self.db)

    @cached_property
    def auth(self) -> AuthService:
        from mfa_console.core.auth.service import AuthService

        # Test User checks the password where RADIUS logins do (the feature's primary target).
        return AuthService(self.db, self.settings, lambda: self.radius.password_target())

    @cached_property
    def users(self) -> UserService:
        return UserService(self.db, self.settings, outbox_queue)

    @cached_property
    def activation(self) -> ActivationService:
        from mfa_console.core.activation.service import ActivationService

        return ActivationService(self.settings, self.secrets)

    @cached_property
    def backup(self) -> BackupService:
        from mfa_console.core.backup import BackupService

        return BackupService(self.db, self.settings)

    @cached_property
    def mail(self) -> MailService:
        from mfa_console.core.mail.service import MailService

        return MailService(self.db, self.settings, self.secrets)

    @cached_property
    def sync(self) -> SyncService:
        from mfa_console.core.sync.service import SyncService

        return SyncService(self.db, self.settings, self.secrets, outbox_queue, outbox_notice)

    @cached_property
    def directory(self) -> DirectoryService:
        from mfa_console.core.directory.service import DirectoryService

        return DirectoryService(self.db, self.settings, self.secrets, outbox_queue)

    @cached_property
    def radius(self) -> RadiusService:
        from mfa_console.core.radius.service import RadiusService

        return RadiusService(self.db, self.settings, self.secrets)

    @cached_property
    def audit(self) -> AuditLog:
        from mfa_console.core.auditlog import AuditLog

        return AuditLog(self.db)

    @property
    def data_name(self) -> str:
        """The data file as a person reads it (path or URL without password)."""
        return self.db.display_name

    def close(self) -> None:
        self.db.dispose()
