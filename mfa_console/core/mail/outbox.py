"""The outbox: messages queued in the same transaction as the change that causes them.

``queue_for_user(session, user_id, reason, pin=...)`` is what the users service, the directory
import and the synchronization call inside their own write sessions: the message is rendered now
and committed (or rolled back) together with the change. While **Send emails to users** is off it
queues nothing. ``queue_admin_notice`` queues the notice to administrators (not gated by that
switch: administrators are not users). Listing, Retry and Discard are here too; sending is in
``worker``.

An initial PIN never reaches the data file in clear: a message carrying one is stored encrypted
with a key kept in the OS keyring, its displayed subject is rendered with the PIN masked, and its
content is deleted once sent or discarded (the full design is in ``seal``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import Meta, SettingRow, UserRow
from mfa_console.core.errors import ConsoleError, NotFoundError
from mfa_console.core.mail import compose, seal, templates
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow
from mfa_console.core.mail.sandbox import TemplateProblem
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.secrets import SecretStore

# queued -> sending (committed just before the body leaves) -> sent; failures: queued again
# (temporary, with backoff) or failed (permanent); a message found in "sending" after a crash
# becomes "unconfirmed" (never resent automatically). See ``worker``.
STATES = ("queued", "sending", "sent", "failed", "unconfirmed")
RETRYABLE = ("queued", "failed", "unconfirmed")

G = TypeVar("G")


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    message_id: str
    state: str
    audience: str
    username: str
    recipient: str
    template: str
    reason: str
    subject: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("next_attempt_at", "created_at", "sent_at"):
            value = data[key]
            data[key] = value.isoformat(timespec="seconds") + "Z" if value else None
        return data


def load_group(session: Session, group: type[G]) -> G:
    """A settings group read inside ``session`` (so it sees the caller's own transaction).

    Cached for the session: an import queueing thousands of messages reads the settings once.
    """
    cache = session.info.setdefault("mail.settings", {})
    if group not in cache:
        cache[group] = _read_group(session, group)
    return cast(G, cache[group])


def _read_group(session: Session, group: type[G]) -> G:
    section = group.SECTION  # type: ignore[attr-defined]
    rows = session.execute(
        select(SettingRow.key, SettingRow.value).where(SettingRow.key.startswith(f"{section}."))
    ).all()
    names = {f.name for f in dataclasses.fields(group)}  # type: ignore[arg-type]
    stored = {key.split(".", 1)[1]: json.loads(value) for key, value in rows}
    return group(**{k: v for k, v in stored.items() if k in names})


def secret_store(session: Session) -> SecretStore:
    """The data file's sealed secrets, read and written through ``session`` (its transaction)."""
    from mfa_console.core.sealed_secrets import SealedSecretStore

    install_id = session.scalar(select(Meta.value).where(Meta.key == "install_id"))
    return SealedSecretStore(str(install_id), session=session)


def queue_for_user(
    session: Session, user_id: int, reason: str, *, pin: str | None = None
) -> int | None:
    """Queue the enrollment email ``user_id`` should get; returns the outbox id, or None.

    None when **Send emails to users** is off or the user has no email address. ``reason`` is
    "new", "updated", "pin" or "manual". ``pin`` (an initial PIN in clear) is sealed (see ``seal``).
    """
    if reason not in compose.REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    settings = load_group(session, EmailSettings)
    if not settings.send_to_users:
        return None
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFoundError(f"User #{user_id} no longer exists.")
    message = render_for_user(session, row, reason, pin, settings)
    if message is None:
        return None
    return _add(session, message, pin is not None, audience="user", user=row, reason=reason)


@dataclass(frozen=True)
class Prepared:
    template: str
    recipient: str
    recipient_name: str
    sender: str
    subject_display: str
    rendered: templates.Rendered
    message_id: str
    raw: bytes


def render_for_user(
    session: Session,
    row: UserRow,
    reason: str,
    pin: str | None,
    settings: EmailSettings,
) -> Prepared | None:
    """What ``row`` would receive now (None: no address); used for queueing and previews."""
    recipient = compose.recipient_of(row)
    if recipient is None:
        return None
    company = load_group(session, CompanySettings)
    key = compose.choose_template(
        row.method, bool(row.phone), reason, pin is not None, settings.portal_url
    )
    template = templates.load(session, key)
    values = compose.user_values(
        row, company_name=company.company_name, portal_url=settings.portal_url, pin=pin
    )
    name = " ".join(p for p in (row.first_name, row.last_name) if p)
    return _prepare(template, values, settings, recipient, name, pin)


def queue_admin_notice(session: Session, key: str, values: dict[str, str]) -> list[int]:
    """Queue an administrator notice (e.g. "sync-approval") to every administrator address."""
    settings = load_group(session, EmailSettings)
    template = templates.load(session, key)
    company = load_group(session, CompanySettings)
    full = {name: "" for name in template.placeholders} | {"company_name": company.company_name}
    full |= {k: str(v) for k, v in values.items()}
    ids = []
    for address in settings.admin_recipients():
        message = _prepare(template, full, settings, address, "", None)
        ids.append(_add(session, message, False, audience="admin", user=None, reason="notice"))
    return ids


def _prepare(
    template: templates.Template,
    values: dict[str, str],
    settings: EmailSettings,
    recipient: str,
    recipient_name: str,
    pin: str | None,
) -> Prepared:
    try:
        rendered = templates.render(template, values)
        display = rendered.subject
        if pin:
            masked = templates.render(template, values | {"pin": compose.PIN_MASK}).subject
            display = masked.replace(pin, compose.PIN_MASK)
    except TemplateProblem as exc:
        raise ConsoleError(
            f"The email template {template.name!r} cannot be rendered: {exc}.",
            hint="Fix it on the Email pane, Email Content tab (or Restore default).",
        ) from None
    sender = compose.sender_address(
        template.from_address, settings.from_address, settings.from_name
    )
    message_id = compose.new_message_id(sender)
    raw = compose.build_message(
        rendered,
        sender=sender,
        recipient=recipient,
        recipient_name=recipient_name,
        message_id=message_id,
    )
    return Prepared(
        template.key,
        recipient,
        recipient_name,
        sender.addr_spec,
        display,
        rendered,
        message_id,
        raw,
    )


def _add(
    session: Session,
    message: Prepared,
    sealed: bool,
    *,
    audience: str,
    user: UserRow | None,
    reason: str,
) -> int:
    content = seal.seal(secret_store(session), message.raw) if sealed else message.raw
    now = utcnow()
    row = OutboxRow(
        message_id=message.message_id,
        state="queued",
        audience=audience,
        user_id=user.id if user else None,
        username=user.username if user else "",
        recipient=message.recipient,
        sender=message.sender,
        template=message.template,
        reason=reason,
        subject=message.subject_display,
        sealed=sealed,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    session.add(OutboxBodyRow(outbox_id=row.id, content=content))
    return row.id


def entries(
    session: Session, *, states: Iterable[str] | None = None, limit: int = 5000
) -> list[OutboxEntry]:
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if states is not None:
        query = query.where(OutboxRow.state.in_(list(states)))
    return [_entry(row) for row in session.scalars(query)]


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
    return {state: int(count) for state, count in rows}


def retry(session: Session, ids: Iterable[int]) -> int:
    """Queue again (now) failed, unconfirmed or waiting messages; sent ones are never resent."""
    ids = list(ids)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OutboxRow)
        .where(
            OutboxRow.id.in_(ids),
            OutboxRow.state.in_(RETRYABLE),
            OutboxRow.id.in_(select(OutboxBodyRow.outbox_id)),
        )
        .values(
            state="queued", attempts=0, next_attempt_at=utcnow(), last_error="", updated_at=utcnow()
        )
    )
    if result.rowcount:
        audit.record(
            session, "email.outbox.retry", f"{result.rowcount} messages", None, {"ids": ids}
        )
    return int(result.rowcount)


def discard(session: Session, ids: Iterable[int]) -> int:
    """Delete messages that are not being sent right now (their bodies go with them)."""
    ids = list(ids)
    busy = ("sending",)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(OutboxRow).where(OutboxRow.id.in_(ids), OutboxRow.state.not_in(busy))
    )
    if result.rowcount:
        audit.record(session, "email.outbox.discard", f"{result.rowcount} messages", {"ids": ids})
    return int(result.rowcount)


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        row.id,
        row.message_id,
        row.state,
        row.audience,
        row.username,
        row.recipient,
        row.template,
        row.reason,
        row.subject,
        row.attempts,
        row.next_attempt_at,
        row.last_error,
        row.created_at,
        row.sent_at,
    )
