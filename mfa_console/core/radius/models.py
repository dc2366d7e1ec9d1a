"""Tables of the RADIUS server: clients, upstream targets, and what the service is doing.

Shared secrets are not here: they are kept through the console's secret store
(``radius.client-secret:<address>``, ``radius.target-secret:<host>:<port>``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mfa_console.core.db.base import Base, utcnow


class RadiusClientRow(Base):
    """A RADIUS client (VPN concentrator, gateway): one address or one subnet."""

    __tablename__ = "radius_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)  # canonical IP or CIDR
    name: Mapped[str] = mapped_column(String(128), default="")
    require_user_match: Mapped[bool] = mapped_column(Boolean, default=False)
    fallback_oath: Mapped[bool] = mapped_column(Boolean, default=False)
    append_code: Mapped[bool] = mapped_column(Boolean, default=False)
    message_authenticator: Mapped[bool] = mapped_column(Boolean, default=True)


class RadiusTargetRow(Base):
    """An upstream RADIUS server the primary password is checked against, tried by position."""

    __tablename__ = "radius_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    auth_port: Mapped[int] = mapped_column(Integer, default=1812)
    acct_port: Mapped[int] = mapped_column(Integer, default=1813)
    timeout: Mapped[int] = mapped_column(Integer, default=5)


class RadiusStatusRow(Base):
    """One row, written by the running service: where it listens and its recent counts."""

    __tablename__ = "radius_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listening: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of "addr:port/udp"
    error: Mapped[str] = mapped_column(Text, default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON, last hour
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
