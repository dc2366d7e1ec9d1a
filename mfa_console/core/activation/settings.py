"""Settings groups of activation: where the service is, and the non-secret activation facts.

The token the service issues is a secret and lives only in the OS keyring (``TOKEN_KEY``); the data
file holds only what an administrator may read: account, group, role, server name, time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from mfa_console.core.activation.protocol import ROLES
from mfa_console.core.errors import ValidationError

TOKEN_KEY = "activation.token"
DEFAULT_PORT = 8443


@dataclass(frozen=True)
class ActivationServiceSettings:
    """The activation service's HTTPS URL and, optionally, the CA file of its certificate."""

    SECTION: ClassVar[str] = "activation_service"
    LABELS: ClassVar[dict[str, str]] = {"url": "URL", "ca_file": "CA file"}

    url: str = ""
    ca_file: str = ""  # empty: the system's trusted certificates

    def validate(self) -> None:
        problems: dict[str, str] = {}
        if self.url:
            problem = url_problem(self.url)
            if problem:
                problems["url"] = problem
        if self.ca_file and not os.path.isfile(self.ca_file):
            problems["ca_file"] = f"no such file: {self.ca_file}"
        if problems:
            raise ValidationError(problems)


def url_problem(url: str) -> str:
    """Why ``url`` cannot be an activation service URL, or "" when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{url!r} is not a valid URL"
    if parts.scheme != "https":
        return "must start with https:// (the activation service is reached over TLS only)"
    if not parts.hostname:
        return "must name a host, e.g. https://activation.example.com:8443"
    return ""


@dataclass(frozen=True)
class ActivationState:
    """The facts of this server's activation; ``activated`` is False until it succeeds."""

    SECTION: ClassVar[str] = "activation"

    activated: bool = False
    account: str = ""
    group_id: str = ""
    group_name: str = ""
    role: str = ""
    server_name: str = ""
    activated_at: str = ""  # ISO 8601, UTC
    service_url: str = ""

    def validate(self) -> None:
        if self.activated and self.role not in ROLES:
            raise ValidationError({"role": f"unknown role {self.role!r}"})
