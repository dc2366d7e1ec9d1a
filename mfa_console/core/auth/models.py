"""Tables of the second factor: tokens, their verification state, lockout state, the log.

Verification state (last accepted step, drift, denials, lockout) lives in its own tables, never in
the user or token row: logins then never bump the version an administrator's save checks.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from mfa_console.core.db.base import Base, utcnow


class OathTokenRow(Base):
    """A software or hardware OATH TOTP token; its seed sealed under the data key."""

    __tablename__ = "oath_tokens"
    __table_args__ = (UniqueConstraint("user_id", "state", name="uq_oath_tokens_user_state"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # software | hardware
    # active: in use (or in stock when unassigned); pending: a new software secret that becomes
    # active at its first valid code, the user's active token still working until then.
    state: Mapped[str] = mapped_column(String(16), default="active")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    seed_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    algorithm: Mapped[str] = mapped_column(String(16), default="SHA1")
    digits: Mapped[int] = mapped_column(Integer, default=6)
    period: Mapped[int] = mapped_column(Integer, default=30)
    manufacturer: Mapped[str] = mapped_column(String(128), default="")
    model: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)


class OathTokenStateRow(Base):
    """The replay guard of one token: last accepted step (compare-and-set) and clock drift."""

    __tablename__ = "oath_token_state"

    token_id: Mapped[str] = mapped_column(
        ForeignKey("oath_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    last_step: Mapped[int] = mapped_column(BigInteger, default=-1)
    drift: Mapped[int] = mapped_column(Integer, default=0)


class AuthUserStateRow(Base):
    """Denials counted toward lockout, and the lockout itself, of one user."""

    __tablename__ = "auth_user_state"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    denials: Mapped[int] = mapped_column(Integer, default=0)
    counter_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class AuthLogRow(Base):
    """One verification. Ids are time-ordered UUIDs: unique across the servers of a group."""

    __tablename__ = "auth_log"
    __table_args__ = (
        Index("ix_auth_log_at_id", "at", "id"),
        Index("ix_auth_log_user_at_id", "username_key", "at", "id"),
        Index("ix_auth_log_result_at_id", "result", "at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(256))
    username_key: Mapped[str] = mapped_column(String(256))
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str] = mapped_column(String(128), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    method: Mapped[str] = mapped_column(String(32), default="")
    mode: Mapped[str] = mapped_column(String(32), default="")
    result: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    server_name: Mapped[str] = mapped_column(String(255), default="")
    server_ip: Mapped[str] = mapped_column(String(64), default="")
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    application: Mapped[str] = mapped_column(String(128), default="")
