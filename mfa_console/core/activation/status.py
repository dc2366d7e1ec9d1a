"""The Activation section of the Status pane: activated or not, account, group and role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_console.core.status import OK, WARNING, StatusSection

if TYPE_CHECKING:
    from mfa_console.core.services import Services


def status_section(services: Services) -> StatusSection:
    status = services.activation.status()
    if not status.activated:
        return StatusSection(
            "activation",
            "Activation",
            WARNING,
            (
                "This server is not activated. The console works unactivated, as the original "
                "did; activate it on the Activation pane when you have the credentials.",
            ),
            "activation",
            {"activated": False},
        )
    when = f"{status.activated_at:%Y-%m-%d %H:%M} UTC" if status.activated_at else "unknown"
    return StatusSection(
        "activation",
        "Activation",
        OK,
        (
            f"Activated for {status.account} as {status.server_name}.",
            f"Replication group {status.group_name or status.group_id}: {status.role}.",
            f"Since {when}.",
        ),
        "activation",
        status.as_dict(),
    )
