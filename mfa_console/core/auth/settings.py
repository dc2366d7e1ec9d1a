"""Company Settings of the second factor: lockout, OATH window, authentication log fields.

Lockout names are the original's (its cloud portal, "MFA Server only"). Decisions where the
original is silent: 10 denials within 10 minutes lock a user out for 15 minutes; 0 minutes until
unblocked means only an administrator's Unblock ends it; 0 denials switches lockout off.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from mfa_console.core.db.models import SettingRow
from mfa_console.core.errors import ValidationError
from mfa_console.core.settings import G

RANGES = {
    "lockout_denials": (0, 999),
    "lockout_counter_reset_minutes": (1, 10080),
    "lockout_unblock_minutes": (0, 525600),
    "oath_window_steps": (0, 10),
    "log_retention_days": (0, 3650),
}


@dataclass(frozen=True)
class AuthSettings:
    SECTION: ClassVar[str] = "auth"

    lockout_denials: int = 10  # Number of MFA denials that trigger lockout (0: never)
    lockout_counter_reset_minutes: int = 10  # Minutes until counter reset
    lockout_unblock_minutes: int = 15  # Minutes until unblocked (0: only by Unblock)
    oath_window_steps: int = 1  # codes accepted this many steps either side
    log_names: bool = True  # first and last name in the authentication log
    log_email: bool = True  # email in the authentication log
    log_retention_days: int = 365  # 0: keep forever

    def validate(self) -> None:
        problems = {}
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                problems[name] = f"must be a whole number from {low} to {high}"
        if problems:
            raise ValidationError(problems)


# Built once; a range on the primary key (``.`` < ``/``) instead of LIKE, to use its index.
_QUERY = select(SettingRow.key, SettingRow.value).where(
    SettingRow.key >= bindparam("start"), SettingRow.key < bindparam("end")
)


def load_in(session: Session | Connection, group: type[G]) -> G:
    """A settings group read through an open session or connection (a verification's)."""
    prefix = f"{group.SECTION}."
    rows = session.execute(_QUERY, {"start": prefix, "end": prefix[:-1] + "/"})
    names = {f.name for f in dataclasses.fields(group)}  # type: ignore[arg-type]
    stored = {key[len(prefix) :]: json.loads(value) for key, value in rows}
    return group(**{k: v for k, v in stored.items() if k in names})
