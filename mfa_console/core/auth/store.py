"""Token rows: create (seed sealed under the data key), find, describe; no policy here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mfa_console.core.auth.models import OathTokenRow, OathTokenStateRow
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import NotFoundError
from mfa_console.core.keys import DataKey


def seed_purpose(token_id: str) -> str:
    return f"oath-seed:{token_id}"


@dataclass(frozen=True)
class TokenSpec:
    """A token to store: its seed in clear only in memory, on its way to being sealed."""

    serial: str
    seed: bytes
    kind: str = "hardware"
    algorithm: str = "SHA1"
    digits: int = 6
    period: int = 30
    manufacturer: str = ""
    model: str = ""


@dataclass(frozen=True)
class TokenInfo:
    serial: str
    kind: str
    state: str
    username: str | None
    algorithm: str
    digits: int
    period: int
    manufacturer: str
    model: str
    created_at: datetime
    assigned_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "serial": self.serial, "kind": self.kind, "state": self.state,
            "username": self.username, "algorithm": self.algorithm, "digits": self.digits,
            "period": self.period, "manufacturer": self.manufacturer, "model": self.model,
            "created_at": self.created_at.isoformat(),
            "assigned_at": self.assigned_at.isoformat() if self.assigned_at else None,
        }  # fmt: skip


def add_token(
    session: Session, key: DataKey, spec: TokenSpec, *, user_id: int | None = None,
    state: str = "active",
) -> OathTokenRow:  # fmt: skip
    token_id = uuid.uuid4().hex
    row = OathTokenRow(
        id=token_id, serial=spec.serial, kind=spec.kind, state=state, user_id=user_id,
        seed_sealed=key.seal(spec.seed, seed_purpose(token_id)), algorithm=spec.algorithm,
        digits=spec.digits, period=spec.period, manufacturer=spec.manufacturer,
        model=spec.model, created_at=utcnow(), assigned_at=utcnow() if user_id else None,
    )  # fmt: skip
    session.add(row)
    session.add(OathTokenStateRow(token_id=token_id, last_step=-1, drift=0))
    session.flush()
    return row


def open_seed(key: DataKey, row: OathTokenRow) -> bytes:
    return key.open(row.seed_sealed, seed_purpose(row.id))


def token_by_serial(session: Session, serial: str) -> OathTokenRow:
    row = session.scalar(select(OathTokenRow).where(OathTokenRow.serial == serial.strip()))
    if row is None:
        raise NotFoundError(
            f"No OATH token with serial number {serial!r}.",
            hint="Check the serial number in the list of OATH tokens.",
            command_hint="List the tokens with: mfa-console tokens list",
        )
    return row


def user_by_name(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username_key == username.strip().lower()))
    if row is None:
        raise NotFoundError(f"No user {username!r}.", hint="Check the username (Users pane).")
    return row


def tokens_of(session: Session, user_id: int) -> list[OathTokenRow]:
    return list(session.scalars(select(OathTokenRow).where(OathTokenRow.user_id == user_id)))


def describe(session: Session, text: str = "") -> list[TokenInfo]:
    query = (
        select(OathTokenRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == OathTokenRow.user_id)
        .order_by(OathTokenRow.serial)
    )
    if text:
        like = f"%{text.lower()}%"
        query = query.where(OathTokenRow.serial.ilike(like) | UserRow.username_key.like(like))
    return [_info(row, username) for row, username in session.execute(query)]


def _info(row: OathTokenRow, username: str | None) -> TokenInfo:
    return TokenInfo(
        serial=row.serial, kind=row.kind, state=row.state, username=username,
        algorithm=row.algorithm, digits=row.digits, period=row.period,
        manufacturer=row.manufacturer, model=row.model, created_at=row.created_at,
        assigned_at=row.assigned_at,
    )  # fmt: skip
