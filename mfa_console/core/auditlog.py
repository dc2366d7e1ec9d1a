"""Read the administration audit trail for the Logs pane: filters, keyset pages, CSV export.

Filtering happens in SQL and pages are fetched by id (newest first), so a trail of millions of
entries is never loaded at once.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select

from mfa_console.core.audit import AuditEntry, to_entry
from mfa_console.core.db import Database
from mfa_console.core.db.models import AuditRow
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import NullProgress, Progress, check_cancel

PAGE = 200
EXPORT_BATCH = 2000
CSV_HEADER = ("id", "time_utc", "user", "action", "target", "before", "after")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """Entries at or after ``since`` and before ``until`` (UTC), by ``actor``, of ``action``.

    ``action`` is an exact action ("user.add") or a kind ending in "." ("user.").
    """

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    target: str = ""

    def clauses(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.since is not None:
            where.append(AuditRow.at >= self.since)
        if self.until is not None:
            where.append(AuditRow.at < self.until)
        if self.actor:
            where.append(AuditRow.actor == self.actor)
        if self.action:
            if self.action.endswith("."):
                where.append(AuditRow.action.startswith(self.action, autoescape=True))
            else:
                where.append(AuditRow.action == self.action)
        if self.target:
            where.append(AuditRow.target.contains(self.target, autoescape=True))
        return where


def page(
    db: Database, where: AuditFilter, before_id: int | None = None, limit: int = PAGE
) -> list[AuditEntry]:
    """Up to ``limit`` entries older than ``before_id`` (newest first)."""
    query = select(AuditRow).where(*where.clauses()).order_by(AuditRow.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    with db.read() as session:
        return [to_entry(row) for row in session.scalars(query)]


def count(db: Database, where: AuditFilter) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(AuditRow.id)).where(*where.clauses())) or 0)


def actors(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(AuditRow.actor).distinct().order_by(AuditRow.actor)))


def actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(AuditRow.action).distinct().order_by(AuditRow.action)))


def iter_entries(
    db: Database, where: AuditFilter, batch: int = EXPORT_BATCH
) -> Iterator[AuditEntry]:
    before: int | None = None
    while rows := page(db, where, before, batch):
        yield from rows
        before = rows[-1].id


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = (
        json.dumps(value, sort_keys=True, ensure_ascii=False)
        if isinstance(value, dict)
        else str(value)
    )
    # A spreadsheet would run a cell starting like a formula: keep it text.
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_row(entry: AuditEntry) -> list[str]:
    return [
        str(entry.id),
        entry.at.isoformat(sep=" ", timespec="seconds"),
        *(_cell(v) for v in (entry.actor, entry.action, entry.target, entry.before, entry.after)),
    ]


def export_csv(
    db: Database, where: AuditFilter, path: Path, progress: Progress | None = None
) -> int:
    """Write the filtered trail to ``path`` (UTF-8 with BOM for spreadsheets); returns the count.

    Written to a temporary file and renamed, so a cancelled export leaves no half file behind.
    """
    progress = progress or NullProgress()
    total = count(db, where)
    partial = path.with_name(f".{path.name}.partial")
    written = 0
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER)
            for entry in iter_entries(db, where):
                writer.writerow(csv_row(entry))
                written += 1
                if written % EXPORT_BATCH == 0:
                    progress.report(written, total, "Exporting the audit trail")
                    check_cancel(progress)
        os.replace(partial, path)
    except OSError as exc:
        from mfa_console.core.diskfull import raise_if_full

        raise_if_full(exc, path)
        raise ConsoleError(
            f"Cannot write {path}: {exc.strerror or exc}.",
            hint="Choose a folder you may write to.",
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return written


class AuditLog:
    """The audit trail of one data file, as the Logs pane and the command line read it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def page(
        self, where: AuditFilter, before_id: int | None = None, limit: int = PAGE
    ) -> list[AuditEntry]:
        return page(self._db, where, before_id, limit)

    def count(self, where: AuditFilter) -> int:
        return count(self._db, where)

    def actors(self) -> list[str]:
        return actors(self._db)

    def actions(self) -> list[str]:
        return actions(self._db)

    def export_csv(self, where: AuditFilter, path: Path, progress: Progress | None = None) -> int:
        return export_csv(self._db, where, path, progress)
