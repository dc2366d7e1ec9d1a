"""What the RADIUS server needs from the verification feature, as narrow protocols.

The server is written against these; ``core.radius.verification`` adapts the console's
verification (one-time codes, lockout, replay protection) and authentication log to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class RequestContext:
    """Where a request comes from, for the authentication log."""

    client_ip: str
    application: str
    server_name: str
    server_ip: str


@dataclass(frozen=True)
class Verdict:
    code: str  # a result code, e.g. OATH_CODE_VERIFIED, FAILED_OATH_CODE_INCORRECT
    ok: bool
    text: str = ""


@dataclass(frozen=True)
class AuthEvent:
    """One RADIUS request's outcome, as the authentication log records it."""

    username: str
    result: str
    reason: str
    context: RequestContext
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsoleUser:
    username: str
    enabled: bool
    method: str


class SecondFactor(Protocol):
    def find_user(self, candidates: list[str]) -> ConsoleUser | None:
        """The first of ``candidates`` (names, in order of preference) that is a console user."""
        ...

    def verify(self, username: str, code: str, context: RequestContext) -> Verdict:
        """Check ``code`` for the console user ``username``; consume it when right; log it."""
        ...


class AuthLog(Protocol):
    def record(self, event: AuthEvent) -> None:
        """Write ``event`` to the authentication log (may be called from any thread)."""
        ...
