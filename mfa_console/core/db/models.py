"""Typed models of the spine: meta, settings, users, audit trail.

Feature packages (directory, sync, mail, activation, backup) keep their own model modules next to
their code, on the same ``Base``; every table is created by an Alembic revision, never by
``create_all``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mfa_console.core.db.base import Base, utcnow


class Meta(Base):
    """Facts about the data file itself (install id, creation time)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SettingRow(Base):
    """One declared setting, ``section.name``, holding a JSON value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UserRow(Base):
    """A user enrolled for two-step verification."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(256))
    # Lower-cased username: the unique, case-insensitive key (portable, unlike COLLATE NOCASE).
    username_key: Mapped[str] = mapped_column(String(256), unique=True)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str] = mapped_column(String(128), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    user_group: Mapped[str] = mapped_column(String(128), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    extension: Mapped[str] = mapped_column(String(32), default="")
    backup_phone: Mapped[str | None] = mapped_column(String(32))
    backup_extension: Mapped[str] = mapped_column(String(32), default="")
    method: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(32))
    pin_hash: Mapped[str | None] = mapped_column(String(256))
    pin_change_required: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    pin_history: Mapped[str] = mapped_column(Text, default="[]")
    language_phone_call: Mapped[str] = mapped_column(String(16))
    language_text_message: Mapped[str] = mapped_column(String(16))
    language_mobile_app: Mapped[str] = mapped_column(String(16))
    language_oath_token: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    directory_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    dn: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    # Optimistic concurrency: every write checks and bumps it.
    version: Mapped[int] = mapped_column(Integer, default=1)


class AuditRow(Base):
    """One change an administrator (or the service acting for one) made. Never holds a secret."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(256), default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
