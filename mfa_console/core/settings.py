"""Declared, typed, validated settings stored in the data file.

A settings group is a frozen dataclass with a ``SECTION`` name and a ``validate()`` method raising
``ValidationError``. Each field is stored as one row ``section.field`` holding JSON, so a
feature can add settings without a schema change, and an old file yields the defaults for new
fields.
Widgets never validate on their own: they call ``validate()`` (through ``SettingsStore.save``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import select

from mfa_console.core import audit
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import SettingRow
from mfa_console.core.errors import ValidationError


class SettingsGroup(Protocol):
    SECTION: ClassVar[str]

    def validate(self) -> None: ...


def labels_of(group: type[Any] | object) -> dict[str, str]:
    """The labels a person sees for a settings group's fields (its ``LABELS``, if declared)."""
    return dict(getattr(group, "LABELS", {}))


def check(value: SettingsGroup) -> ValidationError | None:
    """Validate ``value``; the problems (named by the group's labels), or None."""
    try:
        value.validate()
    except ValidationError as exc:
        return exc.with_labels(labels_of(value))
    return None


G = TypeVar("G", bound=SettingsGroup)


class SettingsStore:
    """Load and save settings groups; every save is validated and audited in one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self, group: type[G]) -> G:
        prefix = f"{group.SECTION}."
        with self._db.read() as session:
            rows = session.execute(
                select(SettingRow.key, SettingRow.value).where(SettingRow.key.startswith(prefix))
            ).all()
        stored = {key[len(prefix) :]: json.loads(value) for key, value in rows}
        names = {f.name for f in dataclasses.fields(group)}  # type: ignore[arg-type]
        return group(**{k: _restore(v) for k, v in stored.items() if k in names})

    def save(self, value: SettingsGroup) -> None:
        problems = check(value)
        if problems is not None:
            raise problems
        before = dataclasses.asdict(self.load(type(value)))  # type: ignore[call-overload]
        after = dataclasses.asdict(value)  # type: ignore[call-overload]
        with self._db.write() as session:
            for name, field_value in after.items():
                key = f"{value.SECTION}.{name}"
                row = session.get(SettingRow, key)
                encoded = json.dumps(field_value, sort_keys=True)
                if row is None:
                    session.add(SettingRow(key=key, value=encoded, updated_at=utcnow()))
                elif row.value != encoded:
                    row.value, row.updated_at = encoded, utcnow()
            if before != after:
                audit.record(session, "settings.change", value.SECTION, before, after)


def _restore(value: Any) -> Any:
    # JSON has no tuples: frozen dataclasses keep sequences as tuples.
    return tuple(value) if isinstance(value, list) else value
