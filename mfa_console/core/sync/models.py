"""Tables of directory synchronization: items, managed members, runs, changes, pending approvals.

``sync_members`` marks the users the synchronization manages (a user imported by hand, or added
in the console, is never disabled or removed by a sync unless a sync item adopts it first).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mfa_console.core.db.base import Base, utcnow


class SyncItemRow(Base):
    __tablename__ = "sync_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(16))  # "container" | "group"
    dn: Mapped[str] = mapped_column(Text)
    nested: Mapped[bool] = mapped_column(Boolean, default=False)
    domain: Mapped[str] = mapped_column(String(255), default="")
    add_new: Mapped[bool] = mapped_column(Boolean, default=True)
    update_existing: Mapped[bool] = mapped_column(Boolean, default=True)
    on_removed: Mapped[str] = mapped_column(String(16), default="disable")
    phone_attribute: Mapped[str] = mapped_column(String(32), default="business")
    backup_phone_attribute: Mapped[str] = mapped_column(String(32), default="")
    enable_policy: Mapped[str] = mapped_column(String(32), default="all")
    email_policy: Mapped[str] = mapped_column(String(32), default="none")
    method: Mapped[str] = mapped_column(String(32), default="")
    mode: Mapped[str] = mapped_column(String(32), default="")
    languages: Mapped[str] = mapped_column(Text, default="{}")


class SyncMemberRow(Base):
    __tablename__ = "sync_members"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int | None] = mapped_column(Integer)
    # True when this sync disabled the user: only then may a sync enable it again.
    disabled_by_sync: Mapped[bool] = mapped_column(Boolean, default=False)
    # Digest of the directory values last applied, and the user's version right after: when both
    # still match, the user is unchanged without re-parsing phones (the fast path of a full pass).
    source_digest: Mapped[int] = mapped_column(BigInteger, default=0)
    written_version: Mapped[int] = mapped_column(Integer, default=0)


class SyncRunRow(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    trigger: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(128), default="")
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    pending_approval: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")


class SyncChangeRow(Base):
    __tablename__ = "sync_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(256), default="")
    directory_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class SyncPendingRow(Base):
    __tablename__ = "sync_pending"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # "disable" | "remove"
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SyncStateRow(Base):
    """Watermarks of incremental reads and the time of the last full pass."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
