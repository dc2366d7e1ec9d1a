"""Composition root: open the data file and build the services the GUI, CLI and service share.

Nothing else creates services or holds globals. Feature services are built on first use, so opening
the console costs only what the first pane needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mfa_console.core.db import Database, open_database
from mfa_console.core.email_queue import outbox_notice, outbox_queue
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore
from mfa_console.core.users.service import UserService

if TYPE_CHECKING:  # feature services are imported when first used, not at start
    from mfa_console.core.activation.service import ActivationService
    from mfa_console.core.backup import BackupService
    from mfa_console.core.directory.service import DirectoryService
    from mfa_console.core.mail.service import MailService
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
        return SecretStore(self.db.install_id())

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

        return BackupService(self.db)

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

    def close(self) -> None:
        self.db.dispose()


def open_services(
    data: str | os.PathLike[str] | None = None, *, password: str | None = None
) -> Services:
    """Open ``data`` (path or URL, else MFA_CONSOLE_DATA, else the default) and build services.

    ``password``: a PostgreSQL server's, given by the person (kept in the keyring once it works).
    """
    return Services(open_database(data, password=password))
