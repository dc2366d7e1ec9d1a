"""The Synchronization tab's settings group: schedule, removal, full passes, approval threshold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from mfa_console.core.errors import ValidationError

INTERVAL_RANGE = (1, 24 * 60)  # minutes
THRESHOLD_RANGE = (1, 999)


@dataclass(frozen=True)
class SyncSettings:
    SECTION: ClassVar[str] = "sync"
    LABELS: ClassVar[dict[str, str]] = {
        "enabled": "Enable synchronization",
        "interval_minutes": "Synchronize every",
        "remove_missing": "Remove users no longer in the directory",
        "always_full": "Always perform a full synchronization",
        "approval_threshold": "Require administrator approval when more than",
    }

    enabled: bool = False
    interval_minutes: int = 60
    remove_missing: bool = False
    always_full: bool = False
    approval_threshold: int = 5

    def validate(self) -> None:
        problems: dict[str, str] = {}
        low, high = INTERVAL_RANGE
        if not low <= self.interval_minutes <= high:
            problems["interval_minutes"] = "choose between 1 minute and 24 hours"
        low, high = THRESHOLD_RANGE
        if not low <= self.approval_threshold <= high:
            problems["approval_threshold"] = f"must be between {low} and {high}"
        if problems:
            raise ValidationError(problems)


_DURATION = re.compile(r"^\s*(\d+)\s*([mh]?)\s*$", re.IGNORECASE)


def parse_interval(text: str) -> int:
    """Minutes from "15m", "2h" or "30" (minutes)."""
    match = _DURATION.match(text)
    if not match:
        raise ValidationError({"interval": f"{text!r} is not a duration such as 15m or 2h"})
    value, unit = int(match.group(1)), match.group(2).lower()
    return value * 60 if unit == "h" else value


def format_interval(minutes: int) -> str:
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"
