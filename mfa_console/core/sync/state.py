"""Persistent facts of synchronization: the change marker, the time of the last full pass."""

from __future__ import annotations

from sqlalchemy import select

from mfa_console.core.db import Database
from mfa_console.core.sync.models import SyncStateRow

MARKER = "marker"  # "<kind>:<value>": highestCommittedUSN (ad) or a modifyTimestamp (ldap)
LAST_FULL = "last_full"  # ISO time (UTC) a complete full pass started


def get(db: Database, key: str) -> str:
    with db.read() as session:
        return session.scalar(select(SyncStateRow.value).where(SyncStateRow.key == key)) or ""


def set_many(db: Database, values: dict[str, str]) -> None:
    with db.write() as session:
        for key, value in values.items():
            row = session.get(SyncStateRow, key)
            if row is None:
                session.add(SyncStateRow(key=key, value=value))
            else:
                row.value = value
