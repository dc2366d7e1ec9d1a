"""Tables of the mail feature: edited templates and the persistent outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mfa_console.core.db.base import Base, utcnow


class TemplateRow(Base):
    """An administrator's edit of a default template (no row: the shipped default applies)."""

    __tablename__ = "mail_templates"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_address: Mapped[str] = mapped_column(String(400), default="")
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxRow(Base):
    """One message to one recipient, rendered when queued; ``state`` moves as in ``worker``.

    Its bytes live in ``OutboxBodyRow``, apart, so that the state changes committed around each
    send rewrite a small row only.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16))  # "user" | "admin"
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    username: Mapped[str] = mapped_column(String(256), default="")
    recipient: Mapped[str] = mapped_column(String(320))
    sender: Mapped[str] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)  # for display; an initial PIN is masked
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxBodyRow(Base):
    """The RFC 5322 bytes of an outbox message, or (``sealed``) a Fernet token of them when the
    message carries an initial PIN. A sealed body is deleted once its message was sent."""

    __tablename__ = "mail_outbox_bodies"

    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("mail_outbox.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
