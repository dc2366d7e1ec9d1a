"""History of runs and their per-user changes, pending approvals, and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mfa_console.core.db import Database
from mfa_console.core.db.lease import holder_name_gone
from mfa_console.core.db.models import UserRow
from mfa_console.core.sync.models import SyncChangeRow, SyncPendingRow, SyncRunRow
from mfa_console.core.sync.results import COUNTS, Change

INTERRUPTED = "The process ended during the run."

CSV_HEADER = [
    "run",
    "started",
    "trigger",
    "kind",
    "status",
    "action",
    "username",
    "directory_id",
    "detail",
]


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: datetime
    ended_at: datetime | None
    trigger: str
    kind: str
    status: str
    counts: dict[str, int]
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "trigger": self.trigger,
            "kind": self.kind,
            "status": self.status,
            **self.counts,
            "message": self.message,
        }


@dataclass(frozen=True)
class PendingAction:
    id: int
    user_id: int
    username: str
    action: str
    reason: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "username": self.username,
            "action": self.action,
            "reason": self.reason,
            "created_at": _iso(self.created_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _record(row: SyncRunRow) -> RunRecord:
    status, message = row.status, row.message
    if status == "running" and holder_name_gone(row.holder or ""):
        # Killed (or crashed) on this computer: not running, whatever the row still says.
        status, message = "interrupted", INTERRUPTED
    return RunRecord(
        row.id,
        row.started_at,
        row.ended_at,
        row.trigger,
        row.kind,
        status,
        {name: getattr(row, name) for name in COUNTS},
        message,
    )


class SyncHistory:
    def __init__(self, db: Database) -> None:
        self._db = db

    def runs(self, limit: int = 200) -> list[RunRecord]:
        with self._db.read() as session:
            query = select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(limit)
            return [_record(row) for row in session.scalars(query)]

    def last_run(self, *, completed: bool = False) -> RunRecord | None:
        with self._db.read() as session:
            query = select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(1)
            if completed:
                query = query.where(SyncRunRow.status != "running")
            row = session.scalar(query)
            return _record(row) if row else None

    def changes(self, run_id: int, limit: int = 10_000) -> list[Change]:
        with self._db.read() as session:
            return list(_changes(session, run_id, limit))

    def changes_page(self, run_id: int, after_id: int, limit: int) -> list[tuple[int, Change]]:
        """Up to ``limit`` changes of ``run_id`` after change id ``after_id`` (keyset paging)."""
        query = (
            select(
                SyncChangeRow.id,
                SyncChangeRow.action,
                SyncChangeRow.username,
                SyncChangeRow.directory_id,
                SyncChangeRow.detail,
            )
            .where(SyncChangeRow.run_id == run_id, SyncChangeRow.id > after_id)
            .order_by(SyncChangeRow.id)
            .limit(limit)
        )
        with self._db.read() as session:
            return [(row[0], Change(*row[1:])) for row in session.execute(query)]

    def count_changes(self, run_id: int) -> int:
        with self._db.read() as session:
            query = select(func.count(SyncChangeRow.id)).where(SyncChangeRow.run_id == run_id)
            return int(session.scalar(query) or 0)

    def pending(self) -> list[PendingAction]:
        with self._db.read() as session:
            query = (
                select(SyncPendingRow, UserRow.username)
                .join(UserRow, UserRow.id == SyncPendingRow.user_id)
                .order_by(SyncPendingRow.id)
            )
            return [
                PendingAction(p.id, p.user_id, name, p.action, p.reason, p.created_at)
                for p, name in session.execute(query)
            ]

    def export_csv(self, out: IO[str], run_ids: list[int] | None = None) -> int:
        """Write the runs (all, or ``run_ids``) and their changes as CSV; returns rows written."""
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        count = 0
        with self._db.read() as session:
            query = select(SyncRunRow).order_by(SyncRunRow.id)
            if run_ids is not None:
                query = query.where(SyncRunRow.id.in_(run_ids))
            for run in session.scalars(query).all():
                head = [run.id, _iso(run.started_at), run.trigger, run.kind, run.status]
                for change in _changes(session, run.id, None):
                    writer.writerow(
                        [*head, change.action, change.username, change.directory_id, change.detail]
                    )
                    count += 1
        return count


def _changes(session: Session, run_id: int, limit: int | None) -> Iterator[Change]:
    query = (
        select(
            SyncChangeRow.action,
            SyncChangeRow.username,
            SyncChangeRow.directory_id,
            SyncChangeRow.detail,
        )
        .where(SyncChangeRow.run_id == run_id)
        .order_by(SyncChangeRow.id)
    )
    if limit is not None:
        query = query.limit(limit)
    for action, username, directory_id, detail in session.execute(query):
        yield Change(action, username, directory_id, detail)
