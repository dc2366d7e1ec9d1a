"""RADIUS Authentication settings: enabled, ports, listening addresses, target, challenges."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from mfa_console.core.errors import ValidationError

TARGETS = {"ldap": "LDAP bind", "radius": "RADIUS server(s)", "none": "None (the code alone)"}


@dataclass(frozen=True)
class RadiusSettings:
    SECTION: ClassVar[str] = "radius"

    enabled: bool = False
    auth_port: int = 1812
    acct_port: int = 1813
    # Addresses to listen on; empty = all IPv4 addresses.
    listen_addresses: tuple[str, ...] = ()
    target: str = "ldap"
    challenge_seconds: int = 120
    challenge_attempts: int = 3

    def validate(self) -> None:
        problems: dict[str, str] = {}
        for name in ("auth_port", "acct_port"):
            port = getattr(self, name)
            if not 1 <= port <= 65535:
                problems[name] = "a port is a number from 1 to 65535"
        if self.auth_port == self.acct_port:
            problems["acct_port"] = "the accounting port must differ from the authentication port"
        if self.target not in TARGETS:
            problems["target"] = "choose ldap, radius or none"
        for address in self.listen_addresses:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                problems["listen_addresses"] = f"{address!r} is not an IP address"
        if not 10 <= self.challenge_seconds <= 600:
            problems["challenge_seconds"] = "between 10 and 600 seconds"
        if not 1 <= self.challenge_attempts <= 10:
            problems["challenge_attempts"] = "between 1 and 10"
        if problems:
            raise ValidationError(problems)

    def addresses(self) -> tuple[str, ...]:
        return self.listen_addresses or ("0.0.0.0",)
