"""Company Settings > Username Resolution, and the OATH prompt text.

How a name typed at a VPN or gateway (``DOMAIN\\user``, ``user@upn.example``, ``user``) finds the
console's user. ``match_by = "username"`` compares with the console's usernames (ignoring case):
the name as typed, then without its ``DOMAIN\\`` prefix, then (for ``user@upn``) the part before
``@``, then ``user`` + the UPN suffix. The first console user found is the one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mfa_console.core.errors import ValidationError

DEFAULT_PROMPT = "Enter the verification code from your authenticator app or token:"


@dataclass(frozen=True)
class UsernameResolution:
    SECTION: ClassVar[str] = "username_resolution"

    strip_domain_prefix: bool = True
    try_name_before_at: bool = True
    upn_suffix: str = ""

    def validate(self) -> None:
        problems: dict[str, str] = {}
        suffix = self.upn_suffix.strip()
        if suffix and (" " in suffix or "\\" in suffix or suffix.startswith(".")):
            problems["upn_suffix"] = "a DNS suffix such as example.com (without @)"
        if problems:
            raise ValidationError(problems)

    def candidates(self, name: str) -> list[str]:
        """The console usernames ``name`` may stand for, in the order they are tried."""
        name = name.strip()
        out = [name]
        if self.strip_domain_prefix and "\\" in name:
            name = name.split("\\", 1)[1]
            out.append(name)
        if self.try_name_before_at and "@" in name:
            out.append(name.split("@", 1)[0])
        suffix = self.upn_suffix.strip().lstrip("@")
        if suffix and "@" not in name:
            out.append(f"{name}@{suffix}")
        return list(dict.fromkeys(n for n in out if n))


@dataclass(frozen=True)
class OathPrompt:
    """Company Settings > OATH Token: the prompt sent as the challenge's Reply-Message."""

    SECTION: ClassVar[str] = "oath_prompt"

    prompt: str = DEFAULT_PROMPT

    def validate(self) -> None:
        text = self.prompt.strip()
        if not text:
            raise ValidationError({"prompt": "enter the text users see when asked for a code"})
        if len(text.encode("utf-8")) > 250:
            raise ValidationError({"prompt": "at most 250 bytes (one RADIUS Reply-Message)"})
