"""The Directory synchronization section of the Status pane: last and next run, approvals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mfa_console.core.service.heartbeat import HOW_TO_START, ServiceState, service_state
from mfa_console.core.status import ERROR, NOT_CONFIGURED, OK, WARNING, StatusSection
from mfa_console.core.sync.history import RunRecord
from mfa_console.core.wording import duration, plural

if TYPE_CHECKING:
    from mfa_console.core.services import Services

KEY, TITLE, PANE = "sync", "Directory synchronization", "directory/sync"


def status_section(services: Services) -> StatusSection:
    sync = services.sync
    items = sync.items.list()
    settings = sync.settings()
    if not items:
        return StatusSection(
            KEY, TITLE, NOT_CONFIGURED,
            ("Not configured. Users are not synchronized from a directory.",), PANE,
            {"enabled": settings.enabled, "items": 0},
        )  # fmt: skip
    last = sync.history.last_run()
    pending = len(sync.history.pending())
    upcoming = sync.next_run() if settings.enabled else None
    service = service_state(services.db)
    lines = [
        f"{'Enabled' if settings.enabled else 'Disabled'}, every "
        f"{duration(settings.interval_minutes)}, {plural(len(items), 'item')}.",
        _last_line(last),
        _next_line(upcoming, service),
    ]
    if upcoming and not service.running:
        lines.append(HOW_TO_START)
    if pending:
        lines.append(f"{plural(pending, 'change')} wait for approval (Synchronization tab).")
    failed = last is not None and last.status not in ("succeeded", "running")
    stalled = upcoming is not None and not service.running
    warn = pending or not settings.enabled or stalled
    state = ERROR if failed else WARNING if warn else OK
    facts = {
        "enabled": settings.enabled, "items": len(items), "pending_approval": pending,
        "last_run": last.to_json() if last else None,
        "next_run": upcoming.isoformat() if upcoming else None,
        "service_running": service.running,
    }  # fmt: skip
    return StatusSection(KEY, TITLE, state, tuple(lines), PANE, facts)


def _last_line(last: RunRecord | None) -> str:
    if last is None:
        return "Never run yet: use Synchronize Now."
    counts = ", ".join(
        f"{value} {name.replace('_', ' ')}" for name, value in last.counts.items() if value
    )
    when = f"{last.started_at:%Y-%m-%d %H:%M} UTC"
    line = f"Last run {when}: {last.status}" + (f" ({counts})." if counts else ".")
    if last.status not in ("succeeded", "running") and last.message:
        line += f" {last.message}"
    return line


def _next_line(upcoming: datetime | None, service: ServiceState) -> str:
    if upcoming is None:
        return "No run is scheduled."
    if not service.running:
        return f"Next run due {upcoming:%Y-%m-%d %H:%M} UTC, but {_lower(service.summary())}"
    return f"Next run {upcoming:%Y-%m-%d %H:%M} UTC."


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
