"""Directory Integration settings: which directory, how to reach it, filters and attribute mapping.

Defaults follow the original console for Active Directory and for a generic LDAP directory
(inetOrgPerson, entryUUID). The bind password is never here: it lives in the OS keyring under
``PASSWORD_SECRET``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mfa_console.core.errors import ValidationError

PASSWORD_SECRET = "directory.bind-password"
KINDS = {"ad": "Active Directory", "ldap": "LDAP"}
SECURITY = {"ldaps": "LDAPS (TLS from the start)", "starttls": "StartTLS", "none": "None"}
BIND_TYPES = {"anonymous": "Anonymous", "simple": "Simple"}
ID_TYPES = {"guid": "GUID", "ascii-bytes": "ASCII Byte Array", "string": "String"}
DEFAULT_PORTS = {"ldaps": 636, "starttls": 389, "none": 389}

AD_FILTERS: dict[str, Any] = {
    "container_filter": "(|(objectClass=organizationalUnit)(objectClass=container))",
    "group_filter": "(&(objectCategory=group)(groupType:1.2.840.113556.1.4.804:=-2147483648))",
    "user_filter": "(&(objectCategory=person)(objectClass=user))",
}
LDAP_FILTERS: dict[str, Any] = {
    "container_filter": "(|(objectClass=organizationalUnit)(objectClass=container))",
    "group_filter": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
    "user_filter": "(objectClass=inetOrgPerson)",
}


ATTRIBUTE_LABELS = {
    "unique_id": "Unique identifier",
    "unique_id_type": "Unique identifier type",
    "dn": "Distinguished name",
    "container_name": "Container name",
    "group_name": "Security group name",
    "username": "Username",
    "username_backup": "Username (backup)",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "user_group": "User group",
    "description": "Description",
    "language_phone_call": "Phone call language",
    "language_text_message": "Text message language",
    "language_mobile_app": "Mobile app language",
    "language_oath_token": "OATH token language",
    "business_phone": "Business phone",
    "home_phone": "Home phone",
    "pager": "Pager",
    "mobile_phone": "Mobile phone",
    "fax": "Fax",
    "ip_phone": "IP phone",
    "custom": "Custom",
    "extension": "Extension",
}


@dataclass(frozen=True)
class AttributeMap:
    """Which directory attribute gives each user field ("" = not mapped)."""

    unique_id: str = "objectGUID"
    unique_id_type: str = "guid"
    dn: str = "distinguishedName"
    container_name: str = "name"
    group_name: str = "name"
    username: str = "userPrincipalName"
    username_backup: str = "sAMAccountName"
    first_name: str = "givenName"
    last_name: str = "sn"
    email: str = "mail"
    user_group: str = ""
    description: str = "description"
    language_phone_call: str = ""
    language_text_message: str = ""
    language_mobile_app: str = ""
    language_oath_token: str = ""
    business_phone: str = "telephoneNumber"
    home_phone: str = "homePhone"
    pager: str = "pager"
    mobile_phone: str = "mobile"
    fax: str = "facsimileTelephoneNumber"
    ip_phone: str = "ipPhone"
    custom: str = ""
    extension: str = ""

    # phone kind (DirectoryUser.phones key) -> field of this map
    PHONE_FIELDS: ClassVar[dict[str, str]] = {
        "business": "business_phone",
        "home": "home_phone",
        "pager": "pager",
        "mobile": "mobile_phone",
        "fax": "fax",
        "ip_phone": "ip_phone",
        "custom": "custom",
    }
    # method -> field of this map
    LANGUAGE_FIELDS: ClassVar[dict[str, str]] = {
        "phone-call": "language_phone_call",
        "text-message": "language_text_message",
        "mobile-app": "language_mobile_app",
        "oath-token": "language_oath_token",
    }

    @classmethod
    def defaults(cls, kind: str) -> AttributeMap:
        if kind == "ldap":
            return cls(
                unique_id="entryUUID",
                unique_id_type="string",
                dn="entryDN",
                container_name="ou",
                group_name="cn",
                username="uid",
                username_backup="",
                ip_phone="",
            )
        return cls()

    def ldap_attributes(self) -> list[str]:
        """The attributes a user search asks for: only the mapped ones."""
        names = [
            getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("unique_id_type", "container_name", "group_name", "dn")
        ]
        return sorted({n for n in names if n}, key=str.lower)

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.unique_id.strip():
            found["attributes.unique_id"] = "map the unique identifier (objectGUID or entryUUID)"
        if self.unique_id_type not in ID_TYPES:
            found["attributes.unique_id_type"] = "choose GUID, ASCII Byte Array or String"
        if not self.username.strip():
            found["attributes.username"] = "map the username attribute"
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "unique_id_type" and value and not _is_attribute_name(value):
                found[f"attributes.{f.name}"] = f"{value!r} is not an attribute name"
        return found


def _is_attribute_name(name: str) -> bool:
    return name.replace("-", "").replace(";", "").replace(".", "").isalnum()


@dataclass(frozen=True)
class DirectorySettings:
    """How the console reaches the directory, what it reads and how it maps it."""

    SECTION: ClassVar[str] = "directory"
    # The labels of Directory Integration > Settings (and the guided setup's directory step)
    LABELS: ClassVar[dict[str, str]] = {
        "kind": "Directory",
        "servers": "Servers",
        "domain": "Domain",
        "dns_server": "DNS server",
        "security": "Security",
        "ca_file": "CA file",
        "bind": "Bind type",
        "bind_dn": "Bind DN or UPN",
        "base_dn": "Base DN",
        "page_size": "Page size",
        "size_limit": "Query size limit",
        "connect_timeout": "Connect timeout",
        "search_timeout": "Search timeout",
        "container_filter": "Container filter",
        "group_filter": "Security group filter",
        "user_filter": "User filter",
        **{f"attributes.{name}": label for name, label in ATTRIBUTE_LABELS.items()},
    }

    kind: str = "ad"
    servers: tuple[str, ...] = ()
    # Active Directory without servers: find the domain's controllers through DNS (discovery.py)
    domain: str = ""
    dns_server: str = ""  # host[:port] to ask instead of this computer's DNS servers
    security: str = "ldaps"
    ca_file: str = ""
    bind: str = "simple"
    bind_dn: str = ""
    base_dn: str = ""
    page_size: int = 1000
    # Active Directory: read a group's direct members with one attribute scoped query on the
    # group's "member" (the original's option; untick when groups have members in other domains)
    attribute_scope_queries: bool = True
    # The most users the Import dialog lists for a search or a selection (0: no limit). Reads
    # for an import of a whole scope and for synchronization are never capped: a capped read
    # would look like users leaving the directory.
    size_limit: int = 1000
    connect_timeout: int = 10
    search_timeout: int = 120
    container_filter: str = AD_FILTERS["container_filter"]
    group_filter: str = AD_FILTERS["group_filter"]
    user_filter: str = AD_FILTERS["user_filter"]
    attributes: AttributeMap = field(default_factory=AttributeMap)

    def __post_init__(self) -> None:
        # The settings store keeps JSON: the attribute map comes back as a dict.
        if isinstance(self.attributes, dict):
            known = {f.name for f in dataclasses.fields(AttributeMap)}
            values: dict[str, Any] = {k: v for k, v in self.attributes.items() if k in known}
            object.__setattr__(self, "attributes", AttributeMap(**values))
        if isinstance(self.servers, list):
            object.__setattr__(self, "servers", tuple(self.servers))

    @classmethod
    def defaults(cls, kind: str = "ad") -> DirectorySettings:
        filters = LDAP_FILTERS if kind == "ldap" else AD_FILTERS
        return cls(kind=kind, attributes=AttributeMap.defaults(kind), **filters)

    def with_kind(self, kind: str) -> DirectorySettings:
        """Switch to ``kind``: filters and attribute mapping that are still the old kind's
        defaults become the new kind's defaults; ones an administrator changed are kept."""
        if kind == self.kind:
            return self
        changed = dataclasses.replace(self, kind=kind)
        old_filters = LDAP_FILTERS if self.kind == "ldap" else AD_FILTERS
        if all(getattr(self, name) == value for name, value in old_filters.items()):
            changed = changed.with_default_filters()
        if self.attributes == AttributeMap.defaults(self.kind):
            changed = changed.with_default_attributes()
        return changed

    def with_connection(self, **changes: Any) -> DirectorySettings:
        """Apply connection fields as typed: ``servers`` may be text (see ``parse_servers``),
        an empty base DN is made from the domain."""
        if isinstance(changes.get("servers"), str):
            changes["servers"] = parse_servers(changes["servers"])
        value = dataclasses.replace(self, **changes)
        if not value.base_dn.strip() and value.domain.strip():
            value = dataclasses.replace(value, base_dn=base_dn_of(value.domain))
        return value

    def with_default_filters(self) -> DirectorySettings:
        return dataclasses.replace(self, **(LDAP_FILTERS if self.kind == "ldap" else AD_FILTERS))

    def with_default_attributes(self) -> DirectorySettings:
        return dataclasses.replace(self, attributes=AttributeMap.defaults(self.kind))

    @property
    def is_ad(self) -> bool:
        return self.kind == "ad"

    @property
    def is_configured(self) -> bool:
        """Servers are set, or (Active Directory) a domain whose controllers DNS names."""
        return bool(self.servers) or (self.is_ad and bool(self.domain.strip()))

    def endpoints(self) -> list[tuple[str, str, int]]:
        """(url, host, port) of each server, in failover order."""
        return [parse_server(url, self.security) for url in self.servers]

    def validate(self) -> None:
        problems: dict[str, str] = {}
        if self.kind not in KINDS:
            problems["kind"] = "choose Active Directory or LDAP"
        if self.security not in SECURITY:
            problems["security"] = "choose LDAPS, StartTLS or None"
        if not self.servers and not (self.is_ad and self.domain.strip()):
            problems["servers"] = "enter at least one server, e.g. ldaps://dc1.example.com" + (
                ", or the domain name to find its controllers" if self.is_ad else ""
            )
        if self.domain.strip() and not _is_domain_name(self.domain.strip().rstrip(".")):
            problems["domain"] = f"{self.domain!r} is not a DNS domain name like corp.example.com"
        if self.dns_server.strip():
            try:
                parse_dns_server(self.dns_server)
            except ValueError as exc:
                problems["dns_server"] = str(exc)
        for url in self.servers:
            try:
                parse_server(url, self.security)
            except ValueError as exc:
                problems["servers"] = str(exc)
        if self.bind not in BIND_TYPES:
            problems["bind"] = "choose Anonymous or Simple"
        if self.bind == "simple" and not self.bind_dn.strip():
            problems["bind_dn"] = "a simple bind needs a bind DN or user principal name"
        if not self.base_dn.strip() or "=" not in self.base_dn:
            problems["base_dn"] = "enter the base DN, e.g. DC=example,DC=com"
        if not 1 <= self.page_size <= 100_000:
            problems["page_size"] = "the page size must be between 1 and 100000"
        if not 0 <= self.size_limit <= 1_000_000:
            problems["size_limit"] = "the query size limit must be 0 (no limit) to 1000000"
        if not 1 <= self.connect_timeout <= 300:
            problems["connect_timeout"] = "the connect timeout must be 1 to 300 seconds"
        if not 1 <= self.search_timeout <= 3600:
            problems["search_timeout"] = "the search timeout must be 1 to 3600 seconds"
        for name in ("container_filter", "group_filter", "user_filter"):
            reason = filter_problem(getattr(self, name))
            if reason:
                problems[name] = reason
        problems.update(self.attributes.problems())
        if problems:
            raise ValidationError(problems)


def parse_servers(text: str) -> tuple[str, ...]:
    """A server list as typed: separated by ``;`` (the original's), commas or spaces."""
    for separator in (";", ","):
        text = text.replace(separator, " ")
    return tuple(text.split())


def format_servers(servers: tuple[str, ...]) -> str:
    return "; ".join(servers)


def parse_server(url: str, security: str) -> tuple[str, str, int]:
    """Normalize ``url`` (``ldaps://host:636``, ``ldap://host``, or a bare ``host[:port]``)."""
    text = url.strip()
    if "://" not in text:
        scheme = "ldaps" if security == "ldaps" else "ldap"
        text = f"{scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        raise ValueError(f"{url!r} is not a server address like ldaps://dc1.example.com:636")
    if parts.scheme == "ldaps" and security != "ldaps":
        raise ValueError(f"{url!r} is an LDAPS address: choose LDAPS security, or use ldap://")
    if parts.scheme == "ldap" and security == "ldaps":
        raise ValueError(f"{url!r} is a plain LDAP address: use ldaps:// with LDAPS security")
    try:
        port = parts.port or DEFAULT_PORTS.get(security, 389)
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    return f"{parts.scheme}://{parts.hostname}:{port}", parts.hostname, port


def parse_dns_server(text: str) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` -> (host, port); ValueError if malformed."""
    text = text.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            port = _port(rest.removeprefix(":"), text)
    elif text.count(":") == 1:
        host, _, value = text.partition(":")
        port = _port(value, text)
    if not host:
        raise ValueError(f"{text!r} is not a DNS server address like 10.0.0.53 or dns1:53")
    return host, port


def _port(value: str, text: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError(f"{text!r} has an invalid port")
    return int(value)


def _is_domain_name(name: str) -> bool:
    labels = name.split(".")
    return all(
        label and len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
        for label in labels
    )


def base_dn_of(domain: str) -> str:
    """``corp.example.com`` -> ``DC=corp,DC=example,DC=com``."""
    return ",".join(f"DC={label}" for label in domain.strip().rstrip(".").split(".") if label)


def filter_problem(text: str) -> str:
    """Why ``text`` is not an LDAP filter ("" when it looks like one)."""
    text = text.strip()
    if not text:
        return "a filter is required"
    if not (text.startswith("(") and text.endswith(")")):
        return "a filter is enclosed in parentheses, e.g. (objectClass=user)"
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return "the parentheses do not match"
    return "" if depth == 0 else "the parentheses do not match"
