"""Plain values read from the directory (never ldap3 entries) and the scope of a read."""

from __future__ import annotations

from dataclasses import dataclass, field

PHONE_KINDS = ("business", "home", "pager", "mobile", "fax", "ip_phone", "custom")


@dataclass(frozen=True)
class DirectoryUser:
    """One directory user, mapped by the attribute map; ``directory_id`` is canonical."""

    directory_id: str
    dn: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    user_group: str = ""
    description: str = ""
    # kind ("business", "mobile", ...) -> the raw value from the directory
    phones: dict[str, str] = field(default_factory=dict)
    extension: str = ""
    # method ("phone-call", ...) -> language code from the directory
    languages: dict[str, str] = field(default_factory=dict)
    disabled: bool = False


@dataclass(frozen=True)
class ContainerScope:
    """Users anywhere below a container (OU, container or the domain root)."""

    dn: str


@dataclass(frozen=True)
class GroupScope:
    """Users who are members of a group; ``nested`` includes members of member groups."""

    dn: str
    nested: bool = False
