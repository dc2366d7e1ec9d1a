"""The staged **Test**: each stage on its own line, so a broken TLS or bind never hides behind a
TCP connection that worked.

Stages per server: name resolution, TCP, TLS (subject, issuer, expiry, why untrusted). Then once:
bind (with Active Directory's sub-codes decoded) and a sample search (how many users the filter
finds and how many carry the unique id, a username, an email and a phone).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from mfa_console.core.directory import tlsinfo
from mfa_console.core.directory.connection import connect, tls_context
from mfa_console.core.directory.discovery import Endpoint, endpoints
from mfa_console.core.directory.errors import DirectoryError
from mfa_console.core.directory.reader import paged_entries, to_user
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ValidationError

OK, WARNING, FAILED, SKIPPED = "ok", "warning", "failed", "skipped"
SAMPLE_LIMIT = 5000
_MARKS = {OK: "OK  ", WARNING: "WARN", FAILED: "FAIL", SKIPPED: "SKIP"}


@dataclass(frozen=True)
class Stage:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"[{_MARKS[self.status]}] {self.name}: {self.detail}"


@dataclass
class ProbeReport:
    stages: list[Stage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(stage.status != FAILED for stage in self.stages)

    def add(self, name: str, status: str, detail: str) -> Stage:
        stage = Stage(name, status, detail)
        self.stages.append(stage)
        return stage

    def lines(self) -> list[str]:
        return [stage.line() for stage in self.stages]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "stages": [asdict(stage) for stage in self.stages]}


def probe(
    settings: DirectorySettings,
    password: str | None,
    on_stage: Callable[[Stage], None] | None = None,
) -> ProbeReport:
    """Run every stage; a failed stage skips those that depend on it. Never raises for the
    directory's own failures: they become FAILED lines."""
    report = _Reporter(on_stage)
    try:
        settings.validate()
    except ValidationError as exc:
        report.add("Settings", FAILED, str(exc))
        return report.report
    context: ssl.SSLContext | None = None
    if settings.security == "none":
        report.add(
            "Security",
            WARNING,
            "no TLS: the bind password and user data travel in clear text; choose LDAPS or "
            "StartTLS",
        )
    else:
        try:
            context = tls_context(settings)
        except DirectoryError as exc:
            report.add("CA file", FAILED, str(exc))
            return report.report
    servers = _endpoints(report, settings)
    reachable = 0
    for endpoint in servers:
        reachable += _server_stages(report, settings, endpoint, context)
    if not reachable:
        report.add("Bind", SKIPPED, "no server passed the checks above")
        report.add("Sample search", SKIPPED, "no server passed the checks above")
        return report.report
    _bind_and_search(report, settings, password)
    return report.report


class _Reporter:
    def __init__(self, on_stage: Callable[[Stage], None] | None) -> None:
        self.report = ProbeReport()
        self._on_stage = on_stage

    def add(self, name: str, status: str, detail: str) -> None:
        stage = self.report.add(name, status, detail)
        if self._on_stage is not None:
            self._on_stage(stage)


def _endpoints(report: _Reporter, settings: DirectorySettings) -> list[Endpoint]:
    """The servers to check; a line for the DNS discovery of domain controllers, if used."""
    if settings.servers:
        return endpoints(settings)
    stage = f"Domain controllers of {settings.domain} (DNS)"
    try:
        found = endpoints(settings)
    except DirectoryError as exc:
        report.add(stage, FAILED, f"{exc.message} {exc.hint}".strip())
        return []
    report.add(stage, OK, ", ".join(e.url for e in found))
    return found


def _server_stages(
    report: _Reporter,
    settings: DirectorySettings,
    endpoint: Endpoint,
    context: ssl.SSLContext | None,
) -> int:
    """Name, TCP and TLS lines of one server; 1 if it is usable, else 0."""
    url, host, port = endpoint.url, endpoint.host, endpoint.port
    timeout = float(settings.connect_timeout)
    if endpoint.address:
        where = f"{settings.dns_server} (not this computer's DNS)"
        report.add(f"Name resolution ({url})", OK, f"{host} is {endpoint.address} at {where}")
    else:
        try:
            addresses = sorted({str(i[4][0]) for i in socket.getaddrinfo(host, port, 0, 1)})
            report.add(f"Name resolution ({url})", OK, f"{host} is {', '.join(addresses)}")
        except OSError as exc:
            report.add(f"Name resolution ({url})", FAILED, f"{host} does not resolve ({exc})")
            return 0
    try:
        with socket.create_connection((endpoint.connect_host, port), timeout=timeout):
            pass
        report.add(f"TCP ({url})", OK, f"port {port} accepts connections")
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        report.add(f"TCP ({url})", FAILED, f"cannot connect to port {port}: {reason}")
        return 0
    if context is None:
        report.add(f"TLS ({url})", WARNING, "not used (security: none)")
        return 1
    return _tls_stage(report, settings, endpoint, context, timeout)


def _tls_stage(
    report: _Reporter,
    settings: DirectorySettings,
    endpoint: Endpoint,
    context: ssl.SSLContext,
    timeout: float,
) -> int:
    url, host, port, address = endpoint.url, endpoint.host, endpoint.port, endpoint.address
    starttls = settings.security == "starttls"
    name = f"TLS ({url})"
    info = None
    try:
        info = tlsinfo.certificate_info(
            tlsinfo.fetch_certificate(host, port, starttls, timeout, address)
        )
    except (OSError, ssl.SSLError, ValueError) as exc:
        how = "StartTLS" if starttls else "the TLS handshake"
        report.add(name, FAILED, f"{how} failed ({exc}); is this the right port and security?")
        return 0
    try:
        version = tlsinfo.verify(host, port, starttls, context, timeout, address)
    except ssl.SSLCertVerificationError as exc:
        reason = tlsinfo.why_untrusted(exc, info, host)
        report.add(name, FAILED, f"not trusted: {reason}. Certificate: {info.summary()}")
        return 0
    except (OSError, ssl.SSLError) as exc:
        report.add(name, FAILED, f"the TLS handshake failed ({exc})")
        return 0
    status = OK if info.days_left > 30 else WARNING
    soon = "" if status == OK else " (expires soon: renew it)"
    report.add(name, status, f"{version}, trusted{soon}. Certificate: {info.summary()}")
    return 1


def _bind_and_search(report: _Reporter, settings: DirectorySettings, password: str | None) -> None:
    who = settings.bind_dn if settings.bind == "simple" else "anonymous"
    try:
        connection = connect(settings, password)
    except DirectoryError as exc:
        report.add("Bind", FAILED, str(exc))
        report.add("Sample search", SKIPPED, "the bind failed")
        return
    with connection:
        note = f" (after {'; '.join(connection.skipped)})" if connection.skipped else ""
        report.add("Bind", OK, f"bound as {who} on {connection.server_url}{note}")
        _sample_search(report, settings, connection.conn)


def _sample_search(report: _Reporter, settings: DirectorySettings, conn: Any) -> None:
    amap = settings.attributes
    phone_attrs = [getattr(amap, f) for f in amap.PHONE_FIELDS.values() if getattr(amap, f)]
    attrs = sorted(
        {a for a in (amap.unique_id, amap.username, amap.username_backup, amap.email) if a}
        | set(phone_attrs)
    )
    counts = {"users": 0, "id": 0, "username": 0, "email": 0, "phone": 0}
    more = False
    try:
        for entry in paged_entries(
            conn, settings, settings.base_dn, settings.user_filter, attrs, raw=True
        ):
            if counts["users"] >= SAMPLE_LIMIT:
                more = True
                break
            user = to_user(entry, settings)
            counts["users"] += 1
            counts["id"] += bool(user.directory_id)
            counts["username"] += bool(user.username)
            counts["email"] += bool(user.email)
            counts["phone"] += bool(user.phones)
    except DirectoryError as exc:
        report.add("Sample search", FAILED, str(exc))
        return
    found = f"more than {SAMPLE_LIMIT}" if more else str(counts["users"])
    of = f"of the first {counts['users']}" if more else "of them"
    detail = (
        f"the user filter finds {found} users under {settings.base_dn}; {of}: "
        f"{counts['id']} have the unique id ({amap.unique_id}), {counts['username']} a "
        f"username, {counts['email']} an email ({amap.email or 'not mapped'}), "
        f"{counts['phone']} a phone"
    )
    if counts["users"] == 0:
        report.add("Sample search", WARNING, detail + ". Check the base DN and the user filter.")
    elif counts["id"] < counts["users"] or counts["username"] < counts["users"]:
        report.add(
            "Sample search", WARNING, detail + ". Users without an id or username are skipped."
        )
    else:
        report.add("Sample search", OK, detail)
