"""The RADIUS server's state in words and figures: one report for ``radius status``, the RADIUS
Authentication pane and the Status pane's RADIUS section.

The report is read from what the background service writes (``radius_status``: where it listens,
its error, the last hour's counts) and from its heartbeat, which tells why an enabled server does
not listen: the service is not running, a port is taken, or the new settings are not applied yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mfa_console.core.db.lease import LeaseInfo
from mfa_console.core.radius.config import RadiusTarget
from mfa_console.core.service.heartbeat import service_state
from mfa_console.core.status import ERROR, NOT_CONFIGURED, OK, WARNING, StatusSection
from mfa_console.core.wording import plural

if TYPE_CHECKING:
    from mfa_console.core.radius.service import RadiusService, RadiusStatus
    from mfa_console.core.services import Services

MAIN_COUNTS = ("accepted", "rejected", "challenged", "dropped")
START = (
    "Start the MFA Console service on the server that runs it (a system service; see "
    "\u201cRunning MFA Console as a headless service\u201d in the documentation)."
)
NOT_APPLIED = "the background service has not applied these settings yet (within seconds)."
NO_RADIUS = (
    "the background service runs but has not reported on RADIUS for over two minutes (see its log)."
)


def not_running(last_seen: str = "") -> str:
    """Why nothing listens when the service is down; ``last_seen`` as its heartbeat tells it."""
    return f"the background service is not running{f' ({last_seen})' if last_seen else ''}. {START}"


def describe_target(kind: str, servers: list[RadiusTarget]) -> str:
    """Where the password is checked, in words: "LDAP bind (...)", "RADIUS server(s) ...", ..."""
    if kind == "ldap":
        return "LDAP bind (the Directory Integration connection)"
    if kind == "radius":
        listed = ", ".join(server.key for server in servers) or "none added yet"
        return f"RADIUS server(s): {listed}"
    return "None (the one-time code alone)"


@dataclass(frozen=True)
class RadiusReport:
    enabled: bool
    listening: bool
    addresses: list[str]
    target: str  # ldap, radius or none
    target_text: str
    clients: int
    exempt_clients: list[str]  # addresses whose requests may lack Message-Authenticator
    last_hour: dict[str, int]  # empty while the service does not report
    reason: str = ""  # why an enabled server does not listen
    error: str = ""  # the service's own error (a port in use...)
    updated_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "listening": self.listening,
            "addresses": self.addresses,
            "target": self.target,
            "target_text": self.target_text,
            "clients": self.clients,
            "reason": self.reason,
            "error": self.error,
            "last_hour": self.last_hour,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "clients_without_message_authenticator": self.exempt_clients,
        }

    @property
    def state(self) -> str:
        if not self.enabled:
            return NOT_CONFIGURED
        if not self.listening:
            return ERROR
        return WARNING if self.warnings() else OK

    def headline(self) -> str:
        if not self.enabled:
            return "RADIUS authentication is off."
        if self.listening:
            return f"Listening on {', '.join(_words(a) for a in self.addresses)}."
        return f"Not listening: {self.reason}"

    def warnings(self) -> list[str]:
        out = []
        if self.enabled and not self.clients:
            out.append("No RADIUS clients are added: every request is dropped.")
        if self.exempt_clients:
            out.append(
                f"{', '.join(self.exempt_clients)} may send requests without "
                "Message-Authenticator (BlastRADIUS)."
            )
        return out

    def lines(self) -> tuple[str, ...]:
        if not self.enabled:
            return (self.headline(),)
        lines = [self.headline(), f"Target: {self.target_text}."]
        if self.last_hour:
            lines.append(count_line(self.last_hour))
        return (*lines, *self.warnings())


def build_report(service: RadiusService) -> RadiusReport:
    """The report from the service's status row, its heartbeat and the settings."""
    status, settings = service.status(), service.settings()
    heartbeat = service_state(service.db).info
    running = heartbeat is not None and heartbeat.alive
    listening = running and status.is_listening  # a killed service leaves its row behind
    clients = service.config.clients()
    servers = service.config.targets() if settings.target == "radius" else []
    return RadiusReport(
        enabled=status.enabled,
        listening=listening,
        addresses=status.listening if listening else [],
        target=settings.target,
        target_text=describe_target(settings.target, servers),
        clients=len(clients),
        exempt_clients=[c.address for c in clients if not c.message_authenticator],
        last_hour=main_counts(status.counts) if status.alive else {},
        reason=_not_listening(status, heartbeat) if status.enabled and not listening else "",
        error=status.error if status.alive else "",
        updated_at=status.updated_at,
    )


def _not_listening(status: RadiusStatus, heartbeat: LeaseInfo | None) -> str:
    if heartbeat is None:  # never ran, or stopped cleanly (which removes the heartbeat)
        return not_running()
    if not heartbeat.alive:
        seen = f"last seen {heartbeat.renewed_at:%Y-%m-%d %H:%M} UTC on {heartbeat.host}"
        return not_running(seen)
    if status.alive and status.error:
        return status.error
    return NOT_APPLIED if status.alive else NO_RADIUS


def count_line(counts: dict[str, int]) -> str:
    text = "Last hour: " + ", ".join(f"{counts.get(k, 0):,} {k}" for k in MAIN_COUNTS)
    overload = counts.get("dropped-overload", 0)
    if overload:
        text += f", {plural(overload, 'request')} dropped when overloaded"
    return text + "."


def main_counts(raw: dict[str, int]) -> dict[str, int]:
    """The service's counts with accepted, rejected, challenged and dropped always present."""
    return {**dict.fromkeys(MAIN_COUNTS, 0), **raw}


def _words(address: str) -> str:
    """``0.0.0.0:1812/udp (auth)`` -> ``0.0.0.0:1812 (authentication)``."""
    head, _, kind = address.partition(" ")
    kinds = {"(auth)": "(authentication)", "(acct)": "(accounting)"}
    return f"{head.removesuffix('/udp')} {kinds.get(kind, kind)}".strip()


def status_section(services: Services) -> StatusSection:
    """The Status pane's RADIUS section (the same report as ``radius status``)."""
    report = services.radius.report()
    facts = report.to_json()
    return StatusSection(
        "radius", "RADIUS Authentication", report.state, report.lines(), "radius", facts
    )
