"""A plain status snapshot for the Status pane and ``mfa-console status``.

The snapshot is a list of sections, each made by one small provider function
``provider(services) -> StatusSection``. Providers read aggregates in SQL (never rows), so a
snapshot of a 200,000-user file stays fast. Features built in their own packages (activation,
directory synchronization, email) contribute their section through a module
``mfa_console.core.<feature>.status`` with a function ``status_section(services)``; while such a
module does not exist, its section says "Not configured", never an error.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from mfa_console.core import sysinfo
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import lease_info
from mfa_console.core.db.models import AuditRow, UserRow
from mfa_console.core.errors import ConsoleError
from mfa_console.core.service.heartbeat import HOW_TO_START
from mfa_console.core.users.methods import METHODS
from mfa_console.core.wording import plural

if TYPE_CHECKING:
    from mfa_console.core.services import Services

log = logging.getLogger(__name__)

OK, WARNING, ERROR, NOT_CONFIGURED = "ok", "warning", "error", "not-configured"
GB = 1024**3
# The original's guidance: RAM for the number of users (upper bound inclusive, GB).
SIZING: tuple[tuple[int | None, int], ...] = (
    (10_000, 4),
    (50_000, 8),
    (100_000, 12),
    (200_000, 16),
    (None, 32),
)
ACTIVITY_DAYS = 14


@dataclass(frozen=True)
class ChartSeries:
    """Counts per day (oldest first) for the Status pane's activity chart."""

    label: str
    days: tuple[date, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class StatusSection:
    key: str
    title: str
    state: str  # OK, WARNING, ERROR or NOT_CONFIGURED
    lines: tuple[str, ...]
    pane: str | None = None  # the pane that deals with it
    facts: dict[str, Any] = field(default_factory=dict)  # machine-readable, for --json
    chart: tuple[ChartSeries, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "state": self.state,
            "lines": list(self.lines),
            "pane": self.pane,
            **self.facts,
        }


Provider = Callable[["Services"], StatusSection]


def not_configured(key: str, title: str, pane: str, what: str) -> StatusSection:
    return StatusSection(key, title, NOT_CONFIGURED, (f"Not configured. {what}",), pane)


def feature_provider(
    key: str, title: str, pane: str, modules: tuple[str, ...], what: str
) -> Provider:
    """A provider that asks the feature's own ``status`` module, or says "not configured"."""

    def provide(services: Services) -> StatusSection:
        for name in modules:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and name.startswith(exc.name):
                    continue  # the feature is not part of this build
                raise
            section: StatusSection = module.status_section(services)
            return section
        return not_configured(key, title, pane, what)

    provide.__name__ = f"{key}_section"
    return provide


def users_section(services: Services) -> StatusSection:
    with services.db.read() as session:
        rows = session.execute(
            select(
                UserRow.method,
                func.count(),
                func.sum(case((UserRow.enabled, 1), else_=0)),
                func.sum(case((func.coalesce(UserRow.phone, "") == "", 1), else_=0)),
            ).group_by(UserRow.method)
        ).all()
    per_method = {method: int(count) for method, count, _, _ in rows}
    total = sum(per_method.values())
    enabled = sum(int(e or 0) for _, _, e, _ in rows)
    no_phone = sum(int(n or 0) for _, _, _, n in rows)
    lines = [f"{plural(total, 'user')}: {enabled:,} enabled, {total - enabled:,} disabled."]
    if total:
        lines.append(
            ", ".join(f"{METHODS.get(m, m)} {per_method[m]:,}" for m in sorted(per_method))
        )
    if no_phone:
        lines.append(f"{no_phone:,} without a phone number.")
    facts = {
        "total": total,
        "enabled": enabled,
        "disabled": total - enabled,
        "per_method": per_method,
        "without_phone": no_phone,
    }
    return StatusSection(
        "users", "Users", WARNING if no_phone else OK, tuple(lines), "users", facts
    )


def data_file_section(services: Services) -> StatusSection:
    from mfa_console.core.backup.guard import restore_in_progress
    from mfa_console.core.backup.schedule import BackupScheduleSettings, next_due

    db = services.db
    path = db.path
    size = None
    if path is not None and path.exists():
        size = sum(
            p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()
        )
    if db.is_postgres:
        return _postgres_section(services)
    revision = db.schema_revision()
    lines = [str(db.display_name), f"Size {sysinfo.human_bytes(size)}."]
    last = _last_audit(services, "backup.create")
    lines.append(f"Last backup: {last[0]:%Y-%m-%d %H:%M} UTC." if last else "No backup made yet.")
    schedule = services.settings.load(BackupScheduleSettings)
    due = next_due(schedule) if schedule.enabled else None
    lines.append(
        f"Scheduled backups every {plural(schedule.interval_hours, 'hour')} into {schedule.folder}."
        if due is not None
        else "Scheduled backups are off."
    )
    facts = {
        "path": str(path) if path else db.display_name,
        "size": size,
        "schema_revision": revision,
        "last_backup": last[0].isoformat() if last else None,
        "scheduled_backups": bool(due is not None),
    }
    state = OK if last else WARNING
    facts["restore_in_progress"] = restoring = restore_in_progress(db)
    if restoring:
        lines.insert(0, "A restore is replacing this data file now.")
        state = WARNING
    facts["permission_problems"] = list(db.permission_problems)
    if db.permission_problems:
        lines[:0] = db.permission_problems
        state = WARNING
    return StatusSection("data-file", "Data file", state, tuple(lines), "logs", facts)


def _postgres_section(services: Services) -> StatusSection:
    """The data in PostgreSQL: its size and schema; its backups are PostgreSQL's own."""
    from sqlalchemy import text

    db = services.db
    with db.read() as session:
        size = int(
            session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        )
        read_only = session.execute(text("SHOW transaction_read_only")).scalar_one() == "on"
    revision = db.schema_revision()
    lines = [
        f"PostgreSQL database {db.display_name}",
        f"Size {sysinfo.human_bytes(size)}, schema {revision}.",
        "Backups: PostgreSQL's own (pg_dump, WAL archiving); see docs/postgresql.md.",
    ]
    if read_only:
        lines.insert(0, "The server is read-only now: changes cannot be saved.")
    facts = {
        "path": db.display_name,
        "size": size,
        "schema_revision": revision,
        "last_backup": None,
        "scheduled_backups": False,
        "read_only": read_only,
        "restore_in_progress": False,
    }
    state = WARNING if read_only else OK
    return StatusSection("data-file", "Data file", state, tuple(lines), "logs", facts)


def service_section(services: Services) -> StatusSection:
    info = lease_info(services.db, "service")
    running = info is not None and info.alive
    lines: tuple[str, ...]
    if info is None:
        lines = ("The background service has never run on this data file.",)
    elif running:
        lines = (
            f"Running on {info.host} (pid {info.pid}) as {info.actor}.",
            f"Last heartbeat {info.renewed_at:%Y-%m-%d %H:%M:%S} UTC.",
        )
    else:
        lines = (
            "Not running.",
            f"Last heartbeat {info.renewed_at:%Y-%m-%d %H:%M:%S} UTC on {info.host}.",
        )
    if not running:
        lines = (*lines, HOW_TO_START)
    facts = {"running": running, "last_heartbeat": info.renewed_at.isoformat() if info else None}
    state = OK if running else WARNING
    # No pane runs the service: the lines say how to start it.
    return StatusSection("service", "Background service", state, lines, None, facts)


def recommended_memory_gb(users: int) -> int:
    for limit, gigabytes in SIZING:
        if limit is None or users <= limit:
            return gigabytes
    return SIZING[-1][1]


def sizing_section(services: Services) -> StatusSection:
    users = services.users.count()[0]
    needed = recommended_memory_gb(users)
    machine = sysinfo.total_memory()
    used = sysinfo.process_memory()
    lines = (
        f"Guidance for {plural(users, 'user')}: {needed} GB of memory.",
        f"This machine: {sysinfo.human_bytes(machine)}.",
        f"This console uses {sysinfo.human_bytes(used)}.",
    )
    state = WARNING if machine is not None and machine < needed * GB * 0.95 else OK
    facts = {"recommended_gb": needed, "machine_bytes": machine, "process_bytes": used}
    return StatusSection("sizing", "Sizing", state, lines, None, facts)


ACTIVITY_KINDS = (
    ("Synchronization", "sync."),
    ("Email", "email."),
    ("Users", "user."),
)


def activity_section(services: Services) -> StatusSection:
    """Changes recorded in the audit trail per day, for the chart (only kinds that occurred)."""
    since = utcnow() - timedelta(days=ACTIVITY_DAYS - 1)
    start = since.date()
    day = func.date(AuditRow.at)
    with services.db.read() as session:
        rows = session.execute(
            select(day, AuditRow.action, func.count())
            .where(AuditRow.at >= start)
            .group_by(day, AuditRow.action)
        ).all()
    days = tuple(start + timedelta(days=i) for i in range(ACTIVITY_DAYS))
    series = []
    for label, prefix in ACTIVITY_KINDS:
        per_day = dict.fromkeys(days, 0)
        for when, action, count in rows:
            key = date.fromisoformat(str(when))
            if action.startswith(prefix) and key in per_day:
                per_day[key] += int(count)
        if any(per_day.values()):
            series.append(ChartSeries(label, days, tuple(per_day[d] for d in days)))
    total = sum(sum(s.counts) for s in series)
    lines = (f"{total:,} recorded changes in the last {ACTIVITY_DAYS} days.",)
    facts = {"activity": {s.label: list(s.counts) for s in series}}
    return StatusSection("activity", "Activity", OK, lines, "logs", facts, tuple(series))


def _last_audit(services: Services, action: str) -> tuple[Any, str] | None:
    with services.db.read() as session:
        row = session.execute(
            select(AuditRow.at, AuditRow.target)
            .where(AuditRow.action == action)
            .order_by(AuditRow.id.desc())
            .limit(1)
        ).first()
    return (row[0], row[1]) if row else None


PROVIDERS: list[Provider] = [
    feature_provider(
        "activation",
        "Activation",
        "activation",
        ("mfa_console.core.activation.status",),
        "The console works unactivated.",
    ),
    users_section,
    data_file_section,
    feature_provider(
        "sync",
        "Directory synchronization",
        "directory",
        ("mfa_console.core.sync.status",),
        "Users are not synchronized from a directory.",
    ),
    feature_provider(
        "email",
        "Email",
        "email",
        ("mfa_console.core.mail.status",),
        "Users are not sent enrollment email.",
    ),
    feature_provider(
        "authentication",
        "Authentication",
        "users",
        ("mfa_console.core.auth.status",),
        "No verification on this server.",
    ),
    feature_provider(
        "radius",
        "RADIUS Authentication",
        "radius",
        ("mfa_console.core.radius.status",),
        "VPNs and gateways cannot ask this server.",
    ),
    service_section,
    sizing_section,
    activity_section,
]


def snapshot(services: Services, providers: list[Provider] | None = None) -> list[StatusSection]:
    """Every section; a provider that fails shows an error section instead of hiding the rest."""
    return [_safe(provider, services) for provider in (providers or PROVIDERS)]


def _safe(provider: Provider, services: Services) -> StatusSection:
    key = provider.__name__.removesuffix("_section").replace("_", "-")
    try:
        return provider(services)
    except ConsoleError as exc:
        return StatusSection(key, key.replace("-", " ").capitalize(), ERROR, (str(exc),))
    except Exception:
        log.exception("Status section %s failed", key)
        return StatusSection(
            key,
            key.replace("-", " ").capitalize(),
            ERROR,
            ("This part of the status could not be read; the details are in the log.",),
        )
