"""Sync items: which directory scope feeds which users, with what defaults and policies.

Items are ordered; for a directory user in the scope of several items, the first item wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.db import Database
from mfa_console.core.errors import NotFoundError, ValidationError
from mfa_console.core.sync.models import SyncItemRow
from mfa_console.core.users.methods import LANGUAGES, METHODS, MODES

SCOPES = {"container": "Container (OU)", "group": "Security group"}
ON_REMOVED = {
    "none": "Leave them as they are",
    "disable": "Disable",
    "remove": "Remove",
}
ENABLE_POLICIES = {
    "all": "All users",
    "new-with-phone": "Only new users with a phone number",
    "none": "No users (new users are added disabled)",
}
EMAIL_POLICIES = {
    "none": "None",
    "new": "New users",
    "new-and-updated": "New and updated users",
}
# Directory phone attributes (keys of DirectoryUser.phones) and their labels.
PHONE_ATTRIBUTES = {
    "business": "Business phone",
    "home": "Home phone",
    "pager": "Pager",
    "mobile": "Mobile phone",
    "fax": "Fax",
    "ip_phone": "IP phone",
    "custom": "Custom",
}


@dataclass(frozen=True)
class SyncItem:
    """One item of the list. ``method``/``mode`` empty and missing languages: company defaults."""

    scope: str
    dn: str
    nested: bool = False
    domain: str = ""
    add_new: bool = True
    update_existing: bool = True
    on_removed: str = "disable"
    phone_attribute: str = "business"
    backup_phone_attribute: str = ""
    enable_policy: str = "all"
    email_policy: str = "none"
    method: str = ""
    mode: str = ""
    languages: dict[str, str] = field(default_factory=dict)
    id: int | None = None
    position: int = 0

    @property
    def title(self) -> str:
        kind = "Group" if self.scope == "group" else "Container"
        nested = " (nested)" if self.scope == "group" and self.nested else ""
        return f"{kind}{nested}: {self.dn}"

    def validate(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValidationError(problems)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _problems(item: SyncItem) -> dict[str, str]:
    checks = {
        "scope": (item.scope, SCOPES),
        "on_removed": (item.on_removed, ON_REMOVED),
        "enable_policy": (item.enable_policy, ENABLE_POLICIES),
        "email_policy": (item.email_policy, EMAIL_POLICIES),
        "phone_attribute": (item.phone_attribute, {"": "", **PHONE_ATTRIBUTES}),
        "backup_phone_attribute": (item.backup_phone_attribute, {"": "", **PHONE_ATTRIBUTES}),
    }
    problems = {
        name: f"{value!r} is not one of {', '.join(k for k in allowed if k)}"
        for name, (value, allowed) in checks.items()
        if value not in allowed
    }
    if not item.dn.strip() or "=" not in item.dn:
        problems["dn"] = "enter the distinguished name of a container or group"
    if item.method and item.method not in METHODS:
        problems["method"] = f"unknown method {item.method!r}"
    elif item.mode and item.mode not in MODES.get(item.method or "phone-call", {}):
        problems["mode"] = f"{item.mode!r} is not a mode of {item.method or 'the method'}"
    for method, language in item.languages.items():
        if method not in METHODS or language not in LANGUAGES:
            problems[f"language.{method}"] = f"unknown language {language!r}"
    return problems


def _to_item(row: SyncItemRow) -> SyncItem:
    return SyncItem(
        scope=row.scope,
        dn=row.dn,
        nested=row.nested,
        domain=row.domain,
        add_new=row.add_new,
        update_existing=row.update_existing,
        on_removed=row.on_removed,
        phone_attribute=row.phone_attribute,
        backup_phone_attribute=row.backup_phone_attribute,
        enable_policy=row.enable_policy,
        email_policy=row.email_policy,
        method=row.method,
        mode=row.mode,
        languages=json.loads(row.languages or "{}"),
        id=row.id,
        position=row.position,
    )


def _store(row: SyncItemRow, item: SyncItem) -> None:
    values = asdict(item)
    values.pop("id")
    values.pop("position")
    values["languages"] = json.dumps(item.languages, sort_keys=True)
    values["dn"] = item.dn.strip()
    for name, value in values.items():
        setattr(row, name, value)


class SyncItems:
    """Add, edit, remove and reorder items; every change audited."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self) -> list[SyncItem]:
        with self._db.read() as session:
            return list_items(session)

    def get(self, item_id: int) -> SyncItem:
        with self._db.read() as session:
            return _to_item(_row(session, item_id))

    def add(self, item: SyncItem) -> SyncItem:
        item.validate()
        with self._db.write() as session:
            last = session.scalar(select(func.max(SyncItemRow.position))) or 0
            row = SyncItemRow(position=last + 1)
            _store(row, item)
            session.add(row)
            session.flush()
            audit.record(session, "sync.item.add", item.title, None, item.to_json())
            return _to_item(row)

    def update(self, item: SyncItem) -> SyncItem:
        item.validate()
        if item.id is None:
            raise NotFoundError("The item to update has no id.")
        with self._db.write() as session:
            row = _row(session, item.id)
            before = _to_item(row).to_json()
            _store(row, item)
            audit.record(session, "sync.item.edit", item.title, before, _to_item(row).to_json())
            return _to_item(row)

    def remove(self, item_id: int) -> None:
        with self._db.write() as session:
            row = _row(session, item_id)
            audit.record(session, "sync.item.remove", _to_item(row).title, _to_item(row).to_json())
            session.delete(row)

    def move(self, item_id: int, offset: int) -> None:
        """Move an item up (-1) or down (+1); the list's order decides which item wins."""
        with self._db.write() as session:
            rows = list(session.scalars(select(SyncItemRow).order_by(SyncItemRow.position)))
            index = next((i for i, r in enumerate(rows) if r.id == item_id), None)
            if index is None:
                raise NotFoundError(f"Sync item #{item_id} no longer exists.")
            target = index + offset
            if not 0 <= target < len(rows):
                return
            rows[index], rows[target] = rows[target], rows[index]
            for position, row in enumerate(rows, start=1):
                row.position = position
            audit.record(session, "sync.item.move", _to_item(rows[target]).title)


def list_items(session: Session) -> list[SyncItem]:
    rows = session.scalars(select(SyncItemRow).order_by(SyncItemRow.position, SyncItemRow.id))
    return [_to_item(row) for row in rows]


def _row(session: Session, item_id: int) -> SyncItemRow:
    row = session.get(SyncItemRow, item_id)
    if row is None:
        raise NotFoundError(f"Sync item #{item_id} no longer exists (another console removed it?).")
    return row


def with_defaults(item: SyncItem, **changes: Any) -> SyncItem:
    return replace(item, **changes)
