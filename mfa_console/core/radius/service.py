"""RADIUS Authentication: settings and lists for the console, and the server for the service.

``RadiusService`` is what the pane and the command line use. ``RadiusRunner`` lives in
``mfa-console service``: every tick it compares the configuration's generation (the newest
audit entry of a RADIUS, directory or Company Settings change) with the one it runs, starts,
reloads or stops the server, and writes where it listens and its counts to ``radius_status``.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import AuditRow
from mfa_console.core.directory.settings import PASSWORD_SECRET, DirectorySettings
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.config import RadiusConfig
from mfa_console.core.radius.drops import Drops
from mfa_console.core.radius.handler import Handler
from mfa_console.core.radius.models import RadiusStatusRow
from mfa_console.core.radius.protocols import AuthLog, SecondFactor
from mfa_console.core.radius.runtime import Client, ClientTable, Runtime
from mfa_console.core.radius.server import RadiusServer
from mfa_console.core.radius.settings import RadiusSettings
from mfa_console.core.radius.state import Activity, Challenges, Counts
from mfa_console.core.radius.targets import LdapTarget, NoTarget, Target, UpstreamTarget
from mfa_console.core.resolution import OathPrompt, UsernameResolution
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore

if TYPE_CHECKING:
    from mfa_console.core.radius.password_target import RadiusPasswordTarget
    from mfa_console.core.radius.status import RadiusReport

log = logging.getLogger("mfa_console.radius")
STATUS_FRESH = timedelta(minutes=2)
WATCHED_SECTIONS = ("radius", "username_resolution", "oath_prompt", "company", "directory")


@dataclass(frozen=True)
class RadiusStatus:
    enabled: bool
    listening: list[str] = field(default_factory=list)
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def alive(self) -> bool:
        return self.updated_at is not None and utcnow() - self.updated_at < STATUS_FRESH

    @property
    def is_listening(self) -> bool:
        return self.alive and bool(self.listening)


class RadiusService:
    def __init__(self, db: Database, settings: SettingsStore, secrets: SecretStore) -> None:
        self.db = db
        self.settings_store = settings
        self.secrets = secrets
        self.config = RadiusConfig(db, secrets)

    def settings(self) -> RadiusSettings:
        return self.settings_store.load(RadiusSettings)

    def save_settings(self, value: RadiusSettings) -> None:
        self.settings_store.save(value)

    def status(self) -> RadiusStatus:
        enabled = self.settings().enabled
        with self.db.read() as session:
            row = session.get(RadiusStatusRow, 1)
            if row is None:
                return RadiusStatus(enabled)
            return RadiusStatus(
                enabled,
                json.loads(row.listening),
                row.error,
                json.loads(row.counts),
                row.updated_at,
            )

    def report(self) -> RadiusReport:
        """Listening or not (and why not), target, clients, the last hour's counts."""
        from mfa_console.core.radius.status import build_report

        return build_report(self)

    def generation(self) -> int:
        """Grows whenever something the running server depends on was changed."""
        with self.db.read() as session:
            return int(
                session.scalar(
                    select(func.max(AuditRow.id)).where(
                        or_(
                            AuditRow.action.startswith("radius."),
                            AuditRow.action.startswith("directory."),
                            (AuditRow.action == "settings.change")
                            & AuditRow.target.in_(WATCHED_SECTIONS),
                        )
                    )
                )
                or 0
            )

    def runtime(self) -> tuple[Runtime, UpstreamTarget | None]:
        """Everything the handler needs, secrets included (read once here, not per request)."""
        settings = self.settings()
        clients = []
        for client in self.config.clients():
            secret = self.config.client_secret(client.address)
            if secret is None:
                log.error("RADIUS client %s has no shared secret: ignored.", client.address)
                continue
            clients.append(Client(client, secret.encode("utf-8")))
        target = self.primary_target(settings.target)
        upstream = target if isinstance(target, UpstreamTarget) else None
        runtime = Runtime(
            settings=settings,
            clients=ClientTable(clients),
            target=target,
            prompt=self.settings_store.load(OathPrompt).prompt,
            resolution=self.settings_store.load(UsernameResolution),
            company=self.settings_store.load(CompanySettings),
            server_name=socket.gethostname(),
        )
        return runtime, upstream

    def primary_target(self, kind: str) -> Target:
        """The target ``kind`` (ldap, radius, none) with its secrets, as the server uses it."""
        if kind == "ldap":
            directory = self.settings_store.load(DirectorySettings)
            return LdapTarget(directory, self.secrets.get(PASSWORD_SECRET))
        if kind == "radius":
            servers = []
            for item in self.config.targets():
                secret = self.config.target_secret(item)
                if secret is not None:
                    servers.append((item, secret.encode("utf-8")))
            return UpstreamTarget(servers)
        return NoTarget()

    def password_target(self) -> RadiusPasswordTarget | None:
        """Test User's password check: the primary target while RADIUS authentication is on
        with LDAP bind or RADIUS server(s) (None: nothing would check a password)."""
        from mfa_console.core.radius.password_target import RadiusPasswordTarget
        from mfa_console.core.radius.status import describe_target

        settings = self.settings()
        if not settings.enabled or settings.target not in ("ldap", "radius"):
            return None
        servers = self.config.targets() if settings.target == "radius" else []
        words = describe_target(settings.target, servers)
        return RadiusPasswordTarget(self, settings.target, words)

    def write_status(self, listening: list[str], error: str, counts: dict[str, int]) -> None:
        with self.db.write() as session:
            row = session.get(RadiusStatusRow, 1)
            if row is None:
                row = RadiusStatusRow(id=1)
                session.add(row)
            row.listening = json.dumps(listening)
            row.error = error
            row.counts = json.dumps(counts, sort_keys=True)
            row.updated_at = utcnow()


class RadiusRunner:
    """The server inside the service: its own thread checks the configuration every
    ``interval`` seconds (so a long sync never delays a reload or the status row)."""

    interval = 5.0

    def __init__(
        self,
        service: RadiusService,
        second_factor: SecondFactor,
        auth_log: AuthLog,
        *,
        workers: int = 32,
        activity: Activity | None = None,
    ) -> None:
        self.service = service
        self.factor = second_factor
        self.auth_log = auth_log
        self.workers = workers
        self.server: RadiusServer | None = None
        self.challenges = Challenges()
        self.counts = Counts(activity)
        self.drops = Drops()
        self._generation = -1
        self._bound: tuple[object, ...] = ()
        self._error = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start_background(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="radius-config", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            try:
                self.tick()
            except ConsoleError as exc:
                log.error("RADIUS: %s", exc)
            except Exception:
                log.exception("RADIUS configuration check crashed; retried shortly.")
            if self._stop.wait(self.interval):
                return

    def tick(self) -> None:
        """Bring the server in line with the configuration; write the status row."""
        generation = self.service.generation()
        if generation != self._generation or (self.server is None and self._wanted()):
            self._apply()
            self._generation = generation
        self.challenges.purge()
        if self.server is not None:
            self.server.handler.report_drops()
        listening = self.server.listening if self.server is not None else []
        self.service.write_status(listening, self._error, self.counts.last_hour())

    def _wanted(self) -> bool:
        return self.service.settings().enabled

    def _apply(self) -> None:
        settings = self.service.settings()
        if not settings.enabled:
            self._close_server()
            self._error = ""
            return
        try:
            runtime, upstream = self.service.runtime()
        except ConsoleError as exc:
            self._error = f"Configuration not loaded: {exc}"
            log.error("RADIUS: %s", self._error)
            return
        handler = Handler(
            runtime, self.factor, self.auth_log, self.challenges, self.counts, drops=self.drops
        )
        forward = upstream.account if upstream is not None else None
        bound = (settings.addresses(), settings.auth_port, settings.acct_port)
        if self.server is not None and bound == self._bound:
            old = self.server.handler
            self.server.handler = handler
            self.server.forward_accounting = forward
            old.runtime.target.close()
            log.info("RADIUS configuration reloaded.")
            return
        self._close_server()
        server = RadiusServer(handler, forward, workers=self.workers)
        try:
            server.start(*bound)
        except ConsoleError as exc:
            self._error = str(exc)
            log.error("RADIUS: %s", exc)
            runtime.target.close()
            return
        self.server, self._bound, self._error = server, bound, ""

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
            self._thread = None
        self._close_server()

    def _close_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server.handler.report_drops(everything=True)
            self.server.handler.runtime.target.close()
            self.server = None
            self._bound = ()
