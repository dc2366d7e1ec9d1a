"""Token administration: software secrets, assign, unassign, resynchronise. Audited; no seeds out.

One token per user: assigning a token to a user who has one is refused unless ``replace`` is
given (the console asks first). A new software secret is *pending*: the user's current token keeps
working until the first valid code of the new one (``verify`` then activates it). Unassigning a
hardware token returns it to stock; a software token is personal, so it is deleted.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.auth.models import OathTokenRow, OathTokenStateRow
from mfa_console.core.auth.store import (
    TokenSpec,
    add_token,
    open_seed,
    token_by_serial,
    tokens_of,
    user_by_name,
)
from mfa_console.core.auth.totp import (
    SOFTWARE_SEED_BYTES,
    b32encode,
    code_at,
    otpauth_uri,
    step_at,
)
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ConsoleError
from mfa_console.core.keys import data_key_in

RESYNC_STEPS = 200  # how far a drifted clock is searched, either side (100 minutes at 30 s)


class TokenReplaceError(ConsoleError):
    """The user has a token already; assigning another needs ``replace``."""

    def __init__(self, username: str, serial: str) -> None:
        super().__init__(
            f"{username} has the OATH token {serial} already.",
            hint="Confirm replacing it.",
            command_hint="Replace it with --replace.",
        )
        self.serial = serial


@dataclass(frozen=True)
class SoftwareSecret:
    """A new software token: show the URI (QR) and the secret once; they are not kept in clear."""

    serial: str
    username: str
    secret: str  # Base32
    uri: str


def generate_software(
    session: Session, username: str, issuer: str, *, set_method: bool = True
) -> SoftwareSecret:
    user = user_by_name(session, username)
    for token in tokens_of(session, user.id):
        if token.state == "pending":
            session.delete(token)
    session.flush()
    seed = os.urandom(SOFTWARE_SEED_BYTES)
    serial = f"SW-{secrets.token_hex(5).upper()}"
    spec = TokenSpec(serial=serial, seed=seed, kind="software")
    add_token(session, data_key_in(session), spec, user_id=user.id, state="pending")
    if set_method:
        _use_oath_method(session, user)
    audit.record(session, "token.software", user.username, None, {"serial": serial})
    uri = otpauth_uri(seed, user.username, issuer or "MFA Console")
    return SoftwareSecret(serial, user.username, b32encode(seed), uri)


def assign(
    session: Session, serial: str, username: str, *, replace: bool = False,
    set_method: bool = True,
) -> None:  # fmt: skip
    token, user = token_by_serial(session, serial), user_by_name(session, username)
    if token.kind == "software":
        raise ConsoleError(
            f"{serial} is a software token; it belongs to the user it was made for.",
            hint="Generate a software token for the other user instead.",
        )
    if token.user_id == user.id:
        return
    if token.user_id is not None:
        owner = session.get(UserRow, token.user_id)
        raise ConsoleError(
            f"The token {serial} is assigned to {owner.username if owner else 'another user'}.",
            hint="Unassign it first.",
        )
    current = tokens_of(session, user.id)
    active = [t for t in current if t.state == "active"]
    if active and not replace:
        raise TokenReplaceError(user.username, active[0].serial)
    for old in current:
        retire(session, old)
    session.flush()
    token.user_id, token.assigned_at, token.state = user.id, utcnow(), "active"
    if set_method:
        _use_oath_method(session, user)
    audit.record(session, "token.assign", serial, None, {"username": user.username})


def unassign(session: Session, serial: str) -> None:
    token = token_by_serial(session, serial)
    owner = session.get(UserRow, token.user_id) if token.user_id else None
    retire(session, token)
    audit.record(session, "token.unassign", serial, {"username": owner.username if owner else None})


def retire(session: Session, token: OathTokenRow) -> None:
    """Take ``token`` from its user: hardware back to stock, software deleted."""
    if token.kind == "software":
        session.execute(delete(OathTokenRow).where(OathTokenRow.id == token.id))
        session.expunge(token)
    else:
        token.user_id, token.assigned_at, token.state = None, None, "active"


def resync(session: Session, serial: str, first: str, second: str, now: float) -> int:
    """Find the drift from two consecutive codes; returns it in steps."""
    token = token_by_serial(session, serial)
    seed = open_seed(data_key_in(session), token)
    current = step_at(now, token.period)
    codes = ["".join(first.split()), "".join(second.split())]
    for delta in sorted(range(-RESYNC_STEPS, RESYNC_STEPS + 1), key=abs):
        step = current + delta
        if [code_at(seed, s, digits=token.digits, algorithm=token.algorithm)
                for s in (step, step + 1)] == codes:  # fmt: skip
            session.execute(
                update(OathTokenStateRow)
                .where(OathTokenStateRow.token_id == token.id)
                .values(drift=step + 1 - current, last_step=step + 1)
            )
            audit.record(session, "token.resync", serial, None, {"drift_steps": step + 1 - current})
            return step + 1 - current
    minutes = RESYNC_STEPS * token.period // 60
    raise ConsoleError(
        f"The two codes are not consecutive codes of {serial} within {minutes} minutes of now.",
        hint="Press the token's button twice and type the two codes in order.",
    )


def _use_oath_method(session: Session, user: UserRow) -> None:
    if user.method != "oath-token":
        before = {"method": user.method, "mode": user.mode}
        user.method, user.mode, user.version = "oath-token", "standard", user.version + 1
        user.updated_at = datetime.now(UTC).replace(tzinfo=None)
        audit.record(session, "user.edit", user.username, before,
                     {"method": "oath-token", "mode": "standard"})  # fmt: skip
