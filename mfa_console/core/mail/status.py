"""The Email section of the Status pane: configured or not, sending to users, the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.status import ERROR, NOT_CONFIGURED, OK, WARNING, StatusSection

if TYPE_CHECKING:
    from mfa_console.core.services import Services


def status_section(services: Services) -> StatusSection:
    settings = services.settings.load(EmailSettings)
    if not settings.configured:
        return StatusSection(
            "email", "Email", NOT_CONFIGURED,
            ("Not configured. Users are not sent enrollment email.",), "email",
            {"configured": False},
        )  # fmt: skip
    counts = services.mail.outbox_counts()
    queued = counts.get("queued", 0) + counts.get("sending", 0)
    failed = counts.get("failed", 0) + counts.get("unconfirmed", 0)
    sending = "on" if settings.send_to_users else "off (nothing is sent to users)"
    lines: tuple[str, ...] = (
        f"SMTP server {settings.server}:{settings.port}, from {settings.from_address}.",
        f"Send emails to users: {sending}.",
        f"Outbox: {queued} queued, {failed} failed, {counts.get('sent', 0)} sent.",
    )
    state = ERROR if failed else OK if settings.send_to_users else WARNING
    if settings.password_in_clear:
        lines = (*lines, f"Warning: {settings.plaintext_warning()}")
        state = ERROR if failed else WARNING
    facts = {"configured": True, "send_to_users": settings.send_to_users,
             "queued": queued, "failed": failed, "sent": counts.get("sent", 0),
             "password_in_clear": settings.password_in_clear}  # fmt: skip
    return StatusSection("email", "Email", state, lines, "email", facts)
