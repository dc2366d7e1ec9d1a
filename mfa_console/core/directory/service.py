"""DirectoryService: the directory settings with the keyring password, the Test, connections,
browsing and importing, for the GUI and the command line alike."""

from __future__ import annotations

from collections.abc import Callable

from mfa_console.core.db import Database
from mfa_console.core.directory import browse
from mfa_console.core.directory.connection import DirectoryConnection, connect
from mfa_console.core.directory.importer import (
    DEFAULT_OPTIONS,
    ImportOptions,
    ImportResult,
    import_users,
)
from mfa_console.core.directory.probe import ProbeReport, Stage, probe
from mfa_console.core.directory.reader import read_users
from mfa_console.core.directory.records import ContainerScope, DirectoryUser, GroupScope
from mfa_console.core.directory.settings import PASSWORD_SECRET, DirectorySettings
from mfa_console.core.email_queue import EmailQueue, no_email
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import Progress
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore


class DirectoryNotConfiguredError(ConsoleError):
    """No directory server has been configured yet."""


class DirectoryService:
    def __init__(
        self,
        db: Database,
        settings: SettingsStore,
        secrets: SecretStore,
        email_queue: EmailQueue = no_email,
    ) -> None:
        self._email_queue = email_queue
        self._db = db
        self._settings = settings
        self._secrets = secrets

    # settings ------------------------------------------------------------------------------
    def load(self) -> DirectorySettings:
        return self._settings.load(DirectorySettings)

    def configured(self) -> DirectorySettings:
        settings = self.load()
        if not settings.is_configured:
            raise DirectoryNotConfiguredError(
                "No directory server is configured.",
                hint="Set it up in Directory Integration > Settings.",
                command_hint="Set it up with `mfa-console directory configure` (or in the "
                "window: Directory Integration > Settings).",
            )
        return settings

    def save(self, settings: DirectorySettings, password: str | None = None) -> None:
        """Validate and store ``settings``; a non-None ``password`` goes to the keyring
        ("" removes it)."""
        self._settings.save(settings)
        if password is not None:
            if password:
                self._secrets.set(PASSWORD_SECRET, password)
            else:
                self._secrets.delete(PASSWORD_SECRET)

    def password(self) -> str | None:
        return self._secrets.get(PASSWORD_SECRET)

    def has_password(self) -> bool:
        return self.password() is not None

    # directory -----------------------------------------------------------------------------
    def connect(self, settings: DirectorySettings | None = None) -> DirectoryConnection:
        settings = settings or self.configured()
        password = self.password() if settings.bind == "simple" else None
        return connect(settings, password)

    def test(
        self,
        settings: DirectorySettings | None = None,
        password: str | None = None,
        on_stage: Callable[[Stage], None] | None = None,
    ) -> ProbeReport:
        """The staged Test; ``password`` None uses the stored one."""
        settings = settings or self.load()
        if password is None and settings.bind == "simple":
            password = self.password()
        return probe(settings, password, on_stage)

    def search_users(self, text: str) -> tuple[list[DirectoryUser], bool]:
        settings = self.configured()
        with self.connect(settings) as connection:
            return browse.search_users(connection, settings, text)

    def import_scope(
        self,
        scope: ContainerScope | GroupScope,
        progress: Progress,
        options: ImportOptions = DEFAULT_OPTIONS,
    ) -> ImportResult:
        """Read every user of ``scope`` and import them (see importer)."""
        settings = self.configured()
        with self.connect(settings) as connection:
            records = read_users(connection, settings, scope, progress)
            return import_users(
                self._db, self._settings, records, progress, options, email_queue=self._email_queue
            )

    def import_records(
        self,
        records: list[DirectoryUser],
        progress: Progress,
        options: ImportOptions = DEFAULT_OPTIONS,
    ) -> ImportResult:
        return import_users(
            self._db,
            self._settings,
            records,
            progress,
            options,
            total=len(records),
            email_queue=self._email_queue,
        )
