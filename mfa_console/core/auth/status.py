"""The Status pane's Authentication section: the last hour, lockouts, users nothing can verify."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_console.core.auth.log import last_hour
from mfa_console.core.status import OK, WARNING, StatusSection

if TYPE_CHECKING:
    from mfa_console.app import Services


def status_section(services: Services) -> StatusSection:
    successes, denials = last_hour(services.db)
    unusable = services.auth.users_without_usable_method()
    locked = len(services.auth.locked_users())
    lines = [f"Last hour: {successes:,} verified, {denials:,} denied."]
    if locked:
        lines.append(f"{locked:,} users locked out (Users > OATH Tokens > Locked Out Users).")
    if unusable:
        lines.append(
            f"{unusable:,} enabled users have no usable method: no OATH token (phone call, text "
            "message and mobile app needed the retired cloud service)."
        )
    facts = {"last_hour_verified": successes, "last_hour_denied": denials,
             "locked_out": locked, "without_usable_method": unusable}  # fmt: skip
    state = WARNING if unusable or locked else OK
    return StatusSection("authentication", "Authentication", state, tuple(lines), "users", facts)
