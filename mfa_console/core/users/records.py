"""Plain values the users service takes and returns (never ORM objects or Qt types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mfa_console.core.users.methods import LANGUAGE_FIELDS


@dataclass(frozen=True)
class UserInput:
    """What an administrator enters for a user. ``None`` means "use the company default"."""

    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    user_group: str = ""
    country_code: int | None = None
    phone: str = ""
    extension: str = ""
    backup_country_code: int | None = None
    backup_phone: str = ""
    backup_extension: str = ""
    method: str | None = None
    mode: str | None = None
    # Per method ("phone-call" ...) language; missing methods take the company default.
    languages: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    # A new PIN in clear (hashed at once, never stored); None keeps the current PIN.
    pin: str | None = None
    pin_change_required: bool = False
    source: str = "manual"
    directory_id: str | None = None
    dn: str | None = None


@dataclass(frozen=True)
class User:
    """A stored user as the panes and the command line see it."""

    id: int
    version: int
    username: str
    first_name: str
    last_name: str
    email: str
    user_group: str
    phone: str | None
    extension: str
    backup_phone: str | None
    backup_extension: str
    method: str
    mode: str
    languages: dict[str, str]
    enabled: bool
    has_pin: bool
    pin_change_required: bool
    source: str
    directory_id: str | None
    dn: str | None
    created_at: datetime
    updated_at: datetime
    updated_by: str

    @property
    def language(self) -> str:
        return self.languages.get(self.method, "en")

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "user_group": self.user_group,
            "phone": self.phone,
            "extension": self.extension,
            "backup_phone": self.backup_phone,
            "backup_extension": self.backup_extension,
            "method": self.method,
            "mode": self.mode,
            "language": self.language,
            "languages": dict(self.languages),
            "enabled": self.enabled,
            "has_pin": self.has_pin,
            "pin_change_required": self.pin_change_required,
            "source": self.source,
            "directory_id": self.directory_id,
            "dn": self.dn,
            "created_at": self.created_at.isoformat(timespec="seconds") + "Z",
            "updated_at": self.updated_at.isoformat(timespec="seconds") + "Z",
        }

    def to_input(self) -> UserInput:
        """The input that would store this user unchanged (used by partial edits)."""
        return UserInput(
            username=self.username,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            user_group=self.user_group,
            phone=self.phone or "",
            extension=self.extension,
            backup_phone=self.backup_phone or "",
            backup_extension=self.backup_extension,
            method=self.method,
            mode=self.mode,
            languages=dict(self.languages),
            enabled=self.enabled,
            pin_change_required=self.pin_change_required,
            source=self.source,
            directory_id=self.directory_id,
            dn=self.dn,
        )


def languages_of(row: Any) -> dict[str, str]:
    return {method: getattr(row, column) for method, column in LANGUAGE_FIELDS.items()}
