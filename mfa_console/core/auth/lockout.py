"""Lockout after repeated denials (the original's "MFA Server only" account lockout settings).

Wrong, duplicate and old codes count. The counter restarts when "Minutes until counter reset"
have passed since its first denial; reaching "Number of MFA denials that trigger lockout" locks
the user out for "Minutes until unblocked" (0: until an administrator unblocks). A verified code
clears the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mfa_console.core.auth.models import AuthUserStateRow
from mfa_console.core.auth.settings import AuthSettings
from mfa_console.core.db.models import UserRow

UNTIL_UNBLOCKED = datetime(9999, 12, 31)


def is_locked(row: AuthUserStateRow | None, at: datetime) -> bool:
    return row is not None and row.locked_until is not None and row.locked_until > at


def count_denial(session: Session, user_id: int, settings: AuthSettings, at: datetime) -> bool:
    """Count one denial; True when it locked the user out."""
    if settings.lockout_denials <= 0:
        return False
    row = session.get(AuthUserStateRow, user_id, with_for_update=True)
    if row is None:
        row = AuthUserStateRow(user_id=user_id, denials=0)
        session.add(row)
    reset = timedelta(minutes=settings.lockout_counter_reset_minutes)
    if row.counter_started_at is None or at - row.counter_started_at >= reset:
        row.denials, row.counter_started_at = 0, at
    row.denials += 1
    if row.denials < settings.lockout_denials:
        return False
    minutes = settings.lockout_unblock_minutes
    row.locked_at = at
    row.locked_until = at + timedelta(minutes=minutes) if minutes else UNTIL_UNBLOCKED
    row.denials, row.counter_started_at = 0, None
    return True


def reset(session: Session, user_id: int) -> None:
    row = session.get(AuthUserStateRow, user_id)
    if row is not None and (row.denials or row.counter_started_at):
        row.denials, row.counter_started_at = 0, None


def unblock(session: Session, user_id: int) -> bool:
    row = session.get(AuthUserStateRow, user_id)
    if row is None or row.locked_until is None:
        return False
    row.locked_until, row.locked_at, row.denials, row.counter_started_at = None, None, 0, None
    return True


@dataclass(frozen=True)
class LockedUser:
    username: str
    locked_at: datetime | None
    locked_until: datetime  # UNTIL_UNBLOCKED: until an administrator unblocks

    @property
    def until_text(self) -> str:
        if self.locked_until >= UNTIL_UNBLOCKED:
            return "until unblocked"
        return self.locked_until.strftime("%Y-%m-%d %H:%M UTC")

    def to_json(self) -> dict[str, object]:
        return {"username": self.username, "locked_at": str(self.locked_at),
                "locked_until": self.until_text}  # fmt: skip


def locked_users(session: Session, at: datetime) -> list[LockedUser]:
    rows = session.execute(
        select(UserRow.username, AuthUserStateRow.locked_at, AuthUserStateRow.locked_until)
        .join(UserRow, UserRow.id == AuthUserStateRow.user_id)
        .where(AuthUserStateRow.locked_until > at)
        .order_by(UserRow.username_key)
    ).all()
    return [LockedUser(name, at_, until or UNTIL_UNBLOCKED) for name, at_, until in rows]
