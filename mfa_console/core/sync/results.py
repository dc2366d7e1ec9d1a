"""The outcome of a run as plain values: counts, status, message and (for dry runs) the changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

COUNTS = ("added", "updated", "disabled", "removed", "unchanged", "pending_approval", "errors")


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    disabled: int = 0
    removed: int = 0
    unchanged: int = 0
    pending_approval: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    action: str  # add | update | enable | disable | remove | pending | error
    username: str
    directory_id: str
    detail: str = ""


@dataclass
class RunResult:
    run_id: int | None
    trigger: str
    kind: str  # full | incremental | approval
    dry_run: bool
    status: str  # succeeded | failed | cancelled
    counts: Counts
    started_at: datetime
    ended_at: datetime | None = None
    message: str = ""
    changes: list[Change] = field(default_factory=list)  # dry runs only (capped)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "trigger": self.trigger,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "status": self.status,
            **self.counts.as_dict(),
            "message": self.message,
            "started_at": self.started_at.isoformat(timespec="seconds") + "Z",
            "ended_at": self.ended_at.isoformat(timespec="seconds") + "Z"
            if self.ended_at
            else None,
        }
        if self.dry_run:
            data["changes"] = [asdict(c) for c in self.changes]
        return data
