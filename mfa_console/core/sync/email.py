"""The hook through which a sync queues enrollment email for the users it adds or updates.

The engine calls ``queue_for_user`` inside the same transaction as the user's write, according to
the item's Send email policy, and only for users with an email address. The default queue does
nothing; the email feature supplies a real one.
"""

from __future__ import annotations

from typing import Literal, Protocol

from sqlalchemy.orm import Session

Reason = Literal["new", "updated"]


class EmailQueue(Protocol):
    def queue_for_user(self, session: Session, user_id: int, reason: Reason) -> None: ...


class NoEmail:
    """Queues nothing (used until an email queue is wired in)."""

    def queue_for_user(self, session: Session, user_id: int, reason: Reason) -> None:
        pass
