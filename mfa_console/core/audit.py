"""The administration audit trail: who changed what, when, values before and after. No secrets.

``record`` is called inside the same transaction as the change it describes, so a change and its
audit entry are committed (or rolled back) together.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mfa_console.core.db.models import AuditRow

# Field names whose values never reach the trail, whatever the caller passes.
SECRET_FIELDS = frozenset({"pin", "pin_hash", "pin_history", "password", "secret", "bind_password"})
REDACTED = "(changed)"


def current_actor() -> str:
    """The OS user running this process (the administrator, or the service account)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _scrub(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    clean = {k: (REDACTED if k in SECRET_FIELDS else v) for k, v in values.items()}
    return json.dumps(clean, default=str, sort_keys=True, ensure_ascii=False)


def record(
    session: Session,
    action: str,
    target: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Add an audit entry to ``session``'s transaction. Only changed fields are kept."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    session.add(
        AuditRow(
            actor=actor or current_actor(),
            action=action,
            target=target,
            before=_scrub(before),
            after=_scrub(after),
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor,
        row.action,
        row.target,
        json.loads(row.before) if row.before else None,
        json.loads(row.after) if row.after else None,
    )


def entries(session: Session, *, limit: int = 1000, action: str | None = None) -> list[AuditEntry]:
    """The newest entries first (the Logs pane pages and filters with ``auditlog``)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if action:
        query = query.where(AuditRow.action == action)
    return [to_entry(row) for row in session.scalars(query)]
