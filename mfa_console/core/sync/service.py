"""SyncService: what the Synchronization tab, the command line and the service call.

Plain values in and out. The directory connection is opened per run from the Directory
Integration settings and the bind password in the keyring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from mfa_console.core.db import Database
from mfa_console.core.db.lease import lease_info
from mfa_console.core.email_queue import AdminNotice, EmailQueue
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.progress import Progress
from mfa_console.core.secrets import SecretStore
from mfa_console.core.service.heartbeat import ServiceState, service_state
from mfa_console.core.settings import SettingsStore
from mfa_console.core.sync import approval
from mfa_console.core.sync.engine import SyncEngine
from mfa_console.core.sync.history import SyncHistory
from mfa_console.core.sync.items import SyncItem, SyncItems
from mfa_console.core.sync.results import RunResult
from mfa_console.core.sync.settings import SyncSettings
from mfa_console.core.sync.source import DirectorySource, open_live_source

PASSWORD_SECRET = "directory.bind-password"


class SyncService:
    def __init__(
        self,
        db: Database,
        settings: SettingsStore,
        secrets: SecretStore,
        email: EmailQueue | None = None,
        notify: AdminNotice | None = None,
    ) -> None:
        self._db, self._settings, self._secrets = db, settings, secrets
        self.items = SyncItems(db)
        self.history = SyncHistory(db)
        self.engine = SyncEngine(db, settings, self._open_source, email=email, notify=notify)

    def set_email_queue(self, email: EmailQueue) -> None:
        self.engine._email = email

    # Items --------------------------------------------------------------------------------
    def check_item(self, item: SyncItem) -> str:
        """Refuse (ValidationError) an item whose container or group the directory does not
        have; return a warning when the directory could not be asked ("" when checked)."""
        from mfa_console.core.directory.settings import DirectorySettings
        from mfa_console.core.sync.item_check import check_item

        settings = self._settings.load(DirectorySettings)
        try:
            password = self._secrets.get(PASSWORD_SECRET) if settings.bind == "simple" else None
        except ConsoleError as exc:
            item.validate()
            return f"{item.dn} was not checked: the bind password cannot be read ({exc.message})."
        return check_item(settings, password, item)

    def add_item(self, item: SyncItem) -> tuple[SyncItem, str]:
        """Check ``item`` against the directory, then add it; returns it and any warning."""
        warning = self.check_item(item)
        return self.items.add(item), warning

    # Settings -----------------------------------------------------------------------------
    def settings(self) -> SyncSettings:
        return self._settings.load(SyncSettings)

    def save_settings(self, value: SyncSettings) -> None:
        """Validate and store; enabling needs at least one synchronization item."""
        if value.enabled and not self.settings().enabled and not self.items.list():
            raise ValidationError(
                {"enabled": "add a synchronization item first"}, SyncSettings.LABELS
            )
        self._settings.save(value)

    # Runs ---------------------------------------------------------------------------------
    def run(
        self,
        trigger: str = "manual",
        *,
        full: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> RunResult:
        return self.engine.run(trigger, full=full, dry_run=dry_run, progress=progress)

    def approve(self) -> RunResult:
        return approval.approve(self._db)

    def next_run(self) -> datetime | None:
        """When the schedule runs next (None when synchronization is not enabled)."""
        settings = self.settings()
        if not settings.enabled:
            return None
        last = self.history.last_run()
        if last is None:
            return None
        return last.started_at + timedelta(minutes=settings.interval_minutes)

    def background_service(self) -> ServiceState:
        """Whether the background service that runs scheduled synchronizations is running."""
        return service_state(self._db)

    def running_elsewhere(self) -> bool:
        info = lease_info(self._db, "sync")
        return info is not None and info.alive

    @contextmanager
    def _open_source(self, parallel: bool) -> Iterator[DirectorySource]:
        from mfa_console.core.directory.settings import DirectorySettings
        from mfa_console.core.sync import child_source

        settings = self._settings.load(DirectorySettings)
        password = self._secrets.get(PASSWORD_SECRET) if settings.bind == "simple" else None
        if parallel and child_source.usable():
            with child_source.open_child_source(settings, password) as child:
                yield child
        else:
            with open_live_source(settings, password) as source:
                yield source
