"""The primary target for Test User: the password checked exactly as the RADIUS server checks it
(``Target.check``: a bind as the user, or the upstream servers in order), for one request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyrad import packet as rp

from mfa_console.core.auth.primary import PasswordCheck
from mfa_console.core.radius import packets as pk

if TYPE_CHECKING:
    from mfa_console.core.radius.service import RadiusService

NAS_IDENTIFIER = "MFA Console Test User"


class RadiusPasswordTarget:
    def __init__(self, service: RadiusService, kind: str, description: str) -> None:
        self.service = service
        self.kind = kind
        self.description = description

    def check(self, username: str, password: str) -> PasswordCheck:
        """Built for this check and closed after it (its connections end with it)."""
        target = self.service.primary_target(self.kind)
        try:
            primary = target.check(username, password, _request())
        finally:
            target.close()
        return PasswordCheck(primary.ok, primary.reason)


def _request() -> rp.AuthPacket:
    """What a client's Access-Request would bring besides the name and password: the upstream
    target forwards its attributes (RFC 2865 wants a NAS-Identifier or NAS-IP-Address)."""
    request = rp.AuthPacket(dict=pk.dictionary())
    request.AddAttribute("NAS-Identifier", NAS_IDENTIFIER)
    return request
