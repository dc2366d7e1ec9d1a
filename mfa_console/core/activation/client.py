"""HTTPS client of the activation service, with certificate verification and clear failures.

Every network failure becomes one ``ActivationError`` subclass that says what happened and what to
do: wrong, expired or used credentials; name not found; service unreachable (with the host and
port an outbound firewall must allow); certificate not trusted.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from mfa_console.core.activation import errors as e
from mfa_console.core.activation import protocol as p

TIMEOUT_SECONDS = 20.0

_REFUSALS: dict[str, tuple[type[e.ActivationError], str]] = {
    p.WRONG_CREDENTIALS: (
        e.WrongCredentialsError,
        "Check the Email and Password, or generate new activation credentials.",
    ),
    p.CREDENTIALS_EXPIRED: (
        e.CredentialsExpiredError,
        "Activation credentials are valid for 10 minutes: generate new ones and activate "
        "within 10 minutes.",
    ),
    p.CREDENTIALS_USED: (
        e.CredentialsUsedError,
        "Activation credentials work once: generate new ones for this server.",
    ),
    p.GROUP_NOT_FOUND: (
        e.GroupNotFoundError,
        "Pick one of the account's replication groups, or create a new group.",
    ),
    p.NOT_AUTHORIZED: (
        e.NotActivatedError,
        "The service does not know this server's token any more.",
    ),
}


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    master: str


@dataclass(frozen=True)
class CredentialCheck:
    account: str
    groups: tuple[GroupInfo, ...]


@dataclass(frozen=True)
class Issued:
    account: str
    group_id: str
    group_name: str
    role: str
    server_name: str
    activated_at: datetime
    token: str

    def __repr__(self) -> str:  # never show the token in a traceback or log
        return f"Issued(account={self.account!r}, group_id={self.group_id!r}, token=<hidden>)"


class ActivationClient:
    """Talks to one activation service; ``ca_file`` empty means the system's trusted CAs."""

    def __init__(self, url: str, ca_file: str = "", timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        self.url = url.rstrip("/")
        self.host = parts.hostname or ""
        self.port = parts.port or 443
        self.timeout = timeout
        self._context = ssl.create_default_context(cafile=ca_file or None)

    def check(self, email: str, password: str) -> CredentialCheck:
        data = self._post(p.PATH_CHECK, {"email": email, "password": password})
        groups = tuple(
            GroupInfo(str(g["id"]), str(g["name"]), str(g.get("master", "")))
            for g in data.get("groups", [])
        )
        return CredentialCheck(str(data["account"]), groups)

    def activate(
        self, email: str, password: str, server_name: str, join_group: str | None
    ) -> Issued:
        body = {
            "email": email,
            "password": password,
            "server_name": server_name,
            "join_group": join_group,
        }
        data = self._post(p.PATH_ACTIVATE, body)
        try:
            return Issued(
                str(data["account"]),
                str(data["group_id"]),
                str(data["group_name"]),
                str(data["role"]),
                str(data["server_name"]),
                datetime.fromtimestamp(float(data["activated_at"]), UTC),
                str(data["token"]),
            )
        except (KeyError, TypeError, ValueError):
            raise self._protocol_error() from None

    def deactivate(self, token: str) -> None:
        self._post(p.PATH_DEACTIVATE, {}, token=token)

    def _post(self, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._context) as r:
                return self._decode(r.read())
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from None
        except urllib.error.URLError as exc:
            raise self._connection_error(exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._connection_error(exc) from None

    def _decode(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw)
        except ValueError:
            raise self._protocol_error() from None
        if not isinstance(data, dict):
            raise self._protocol_error()
        return data

    def _refusal(self, exc: urllib.error.HTTPError) -> e.ActivationError:
        try:
            data = json.loads(exc.read())
            code, message = str(data["error"]), str(data["message"])
        except (ValueError, KeyError, TypeError, OSError):
            return self._protocol_error(f"HTTP {exc.code}")
        cls, hint = _REFUSALS.get(code, (e.ActivationError, ""))
        return cls(message, hint=hint)

    def _connection_error(self, reason: object) -> e.ActivationError:
        where = f"{self.host} port {self.port}"
        if isinstance(reason, ssl.SSLCertVerificationError):
            return e.CertificateNotTrustedError(
                f"The activation service at {where} presented a certificate this server does "
                f"not trust ({reason.verify_message}).",
                hint="If the service uses a private certificate authority, set its CA file under "
                f"Activation service; otherwise install a certificate that names {self.host} "
                "and is signed by a trusted authority.",
            )
        if isinstance(reason, ssl.SSLError):
            return e.ActivationError(
                f"The TLS handshake with the activation service at {where} failed "
                f"({reason.reason or reason}).",
                hint="Check that the URL points to the activation service's HTTPS port.",
            )
        if isinstance(reason, socket.gaierror):
            return e.ServiceNameNotFoundError(
                f"The activation service's name {self.host} was not found (DNS).",
                hint="Check the activation service URL and this server's DNS settings.",
            )
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        if isinstance(reason, TimeoutError):
            text = "timed out"
        return e.ServiceUnreachableError(
            f"Cannot reach the activation service at {where} ({text}).",
            hint=f"Check that the service runs, and that outbound firewalls allow TCP "
            f"connections from this server to {self.host} port {self.port} (HTTPS).",
        )

    def _protocol_error(self, detail: str = "an unexpected answer") -> e.ServiceProtocolError:
        return e.ServiceProtocolError(
            f"The activation service at {self.host} port {self.port} gave {detail}.",
            hint="Check that the URL points to an MFA Console activation service.",
        )
