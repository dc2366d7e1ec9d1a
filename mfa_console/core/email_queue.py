"""How user changes ask for an enrollment email, and a sync for an administrators' notice,
without the users, directory and sync code depending on the mail feature: the composition root
passes ``outbox_queue`` and ``outbox_notice`` to them.

The call happens inside the caller's write transaction, so the message is queued if and only if
the change is committed.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

REASONS = ("new", "updated", "pin", "manual")


class EmailQueue(Protocol):
    def __call__(
        self, session: Session, user_id: int, reason: str, *, pin: str | None = None
    ) -> object: ...


def no_email(session: Session, user_id: int, reason: str, *, pin: str | None = None) -> None:
    """An EmailQueue that queues nothing (tests of features without mail)."""


def outbox_queue(
    session: Session, user_id: int, reason: str, *, pin: str | None = None
) -> int | None:
    """Queue in the mail outbox; nothing while Send emails to users is off or without an address."""
    from mfa_console.core.mail.outbox import queue_for_user

    return queue_for_user(session, user_id, reason, pin=pin)


class AdminNotice(Protocol):
    def __call__(self, session: Session, key: str, values: dict[str, str]) -> object: ...


def no_notice(session: Session, key: str, values: dict[str, str]) -> None:
    """An AdminNotice that sends nothing."""


def outbox_notice(session: Session, key: str, values: dict[str, str]) -> list[int]:
    """Queue the notice ``key`` (e.g. "sync-approval") to the administrators in Email settings."""
    from mfa_console.core.mail.outbox import queue_admin_notice

    return queue_admin_notice(session, key, values)
