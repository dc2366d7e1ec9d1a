"""The Directory synchronization section of the Status pane: last and next run, approvals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_console.core.status import ERROR, NOT_CONFIGURED, OK, WARNING, StatusSection
from mfa_console.core.sync.history import RunRecord

if TYPE_CHECKING:
    from mfa_console.core.services import Services

KEY, TITLE, PANE = "sync", "Directory synchronization", "directory"


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
    lines = [
        f"{'Enabled' if settings.enabled else 'Disabled'}, every {settings.interval_minutes} "
        f"minutes, {len(items)} item{'s' if len(items) != 1 else ''}.",
        _last_line(last),
        f"Next run {upcoming:%Y-%m-%d %H:%M} UTC." if upcoming else "No run is scheduled.",
    ]
    if pending:
        lines.append(f"{pending} changes wait for approval (Synchronization tab).")
    failed = last is not None and last.status not in ("succeeded", "running")
    state = ERROR if failed else WARNING if pending or not settings.enabled else OK
    facts = {
        "enabled": settings.enabled, "items": len(items), "pending_approval": pending,
        "last_run": last.to_json() if last else None,
        "next_run": upcoming.isoformat() if upcoming else None,
    }  # fmt: skip
    return StatusSection(KEY, TITLE, state, tuple(lines), PANE, facts)


def _last_line(last: RunRecord | None) -> str:
    if last is None:
        return "Never run yet: use Synchronize Now."
    counts = ", ".join(f"{value} {name}" for name, value in last.counts.items() if value)
    when = f"{last.started_at:%Y-%m-%d %H:%M} UTC"
    return f"Last run {when}: {last.status}" + (f" ({counts})." if counts else ".")
