"""Test User's password check: the primary target a login checks before the one-time code.

The verification feature does not know where passwords are checked; the RADIUS feature supplies
a ``PasswordTarget`` when it has a primary target (LDAP bind or upstream RADIUS servers), and
Test User asks it exactly as the server would, before the code (a refused password leaves the
code unused, as at a real login).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from mfa_console.core.auth.results import VerifyResult


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    reason: str = ""  # why the target refused it, in its words ("wrong password", ...)


class PasswordTarget(Protocol):
    @property
    def description(self) -> str:
        """Where the password is checked, in words ("LDAP bind (...)")."""
        ...

    def check(self, username: str, password: str) -> PasswordCheck: ...


PasswordTargets = Callable[[], "PasswordTarget | None"]


@dataclass(frozen=True)
class UserTest:
    """Test User's outcome: the password (when a target checks it), then the code's result.

    ``result`` is FAILED_PRIMARY_AUTH when the password was refused (the code was then not
    checked, so not used)."""

    result: VerifyResult
    target: str = ""  # where the password was checked; "" when nothing checks it
    password: PasswordCheck | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def code_checked(self) -> bool:
        return self.password is None or self.password.ok

    def to_json(self) -> dict[str, object]:
        password = None
        if self.password is not None:
            password = {"target": self.target, "ok": self.password.ok,
                        "reason": self.password.reason}  # fmt: skip
        return {**self.result.to_json(), "password": password, "code_checked": self.code_checked}
