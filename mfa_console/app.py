"""Composition root: open the data file and build the services the GUI, CLI and service share.

Nothing else creates services or holds globals. Feature services are built on first use, so opening
the console costs only what the first pane needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from mfa_console.core.db import Database, open_database
from mfa_console.core.directory.service import DirectoryService
from mfa_console.core.directory.service import DirectoryService
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore
from mfa_console.core.sync.service import SyncService
from mfa_console.core.users.service import UserService


@dataclass
class Services:
    """The console's services over one open data file."""

    db: Database
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @cached_property
    def settings(self) -> SettingsStore:
        return SettingsStore(self.db)

    @cached_property
    def secrets(self) -> SecretStore:
        return SecretStore(self.db.install_id())

    @cached_property
    def users(self) -> UserService:
        return UserService(self.db, self.settings)

    @cached_property
    def sync(self) -> SyncService:
        return SyncService(self.db, self.settings, self.secrets)

    @cached_property
    def directory(self) -> DirectoryService:
        return DirectoryService(self.db, self.settings, self.secrets)

    @cached_property
    def directory(self) -> DirectoryService:
        return DirectoryService(self.db, self.settings, self.secrets)

    def close(self) -> None:
        self.db.dispose()


def open_services(data: str | os.PathLike[str] | None = None) -> Services:
    """Open ``data`` (path or URL, else MFA_CONSOLE_DATA, else the default) and build services."""
    return Services(open_database(data))
