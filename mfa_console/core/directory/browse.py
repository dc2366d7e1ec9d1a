"""Browse the directory for the Import dialog and the item picker: the domain root, its
containers (one level at a time, for lazy trees), the security groups, and users by name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import ldap3
from ldap3.core import exceptions as lexc
from ldap3.utils.conv import escape_filter_chars

from mfa_console.core.directory.connection import DirectoryConnection
from mfa_console.core.directory.errors import DirectoryReadError
from mfa_console.core.directory.reader import (
    check_result,
    paged_entries,
    read_users,
    to_user,
    user_attributes,
)
from mfa_console.core.directory.records import ContainerScope, DirectoryUser, GroupScope
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.progress import NullProgress, Progress


@dataclass(frozen=True)
class Node:
    """A container, OU, domain or group in a browse tree."""

    dn: str
    name: str
    kind: str  # "domain", "container", "ou", "group"


def root(settings: DirectorySettings) -> Node:
    first = settings.base_dn.split(",", 1)[0]
    return Node(settings.base_dn, first.split("=", 1)[-1] or settings.base_dn, "domain")


def children(connection: DirectoryConnection, settings: DirectorySettings, dn: str) -> list[Node]:
    """The containers and OUs directly below ``dn``, sorted by name."""
    name_attr = settings.attributes.container_name or "ou"
    nodes = []
    for entry in paged_entries(
        connection.conn,
        settings,
        dn,
        settings.container_filter,
        [name_attr, "objectClass"],
        scope=ldap3.LEVEL,
    ):
        classes = {str(c).lower() for c in entry["attributes"].get("objectClass", [])}
        kind = "ou" if "organizationalunit" in classes else "container"
        nodes.append(Node(entry["dn"], _name(entry, name_attr), kind))
    return sorted(nodes, key=lambda n: n.name.lower())


def groups(connection: DirectoryConnection, settings: DirectorySettings) -> list[Node]:
    """The security groups (group filter) under the base DN, sorted by name."""
    name_attr = settings.attributes.group_name or "cn"
    nodes = [
        Node(entry["dn"], _name(entry, name_attr), "group")
        for entry in paged_entries(
            connection.conn, settings, settings.base_dn, settings.group_filter, [name_attr]
        )
    ]
    return sorted(nodes, key=lambda n: n.name.lower())


def search_users(
    connection: DirectoryConnection,
    settings: DirectorySettings,
    text: str,
) -> tuple[list[DirectoryUser], bool]:
    """Users whose name, username or email starts with ``text`` (or whose name contains it), at
    most the query size limit; returns (users, truncated)."""
    value = escape_filter_chars(text.strip())
    amap = settings.attributes
    if not value:
        return [], False
    terms = [f"(cn=*{value}*)", f"(displayName={value}*)"]
    for attr in (amap.username, amap.username_backup, amap.first_name, amap.last_name, amap.email):
        if attr:
            terms.append(f"({attr}={value}*)")
    if not settings.is_ad:
        terms.remove(f"(displayName={value}*)")
    search_filter = f"(&{settings.user_filter}(|{''.join(terms)}))"
    conn = connection.conn
    try:
        conn.search(
            settings.base_dn,
            search_filter,
            ldap3.SUBTREE,
            attributes=user_attributes(settings),
            size_limit=settings.size_limit,
            time_limit=settings.search_timeout,
        )
    except lexc.LDAPException as exc:
        raise DirectoryReadError(f"The user search failed ({exc}).") from None
    truncated = (conn.result or {}).get("result") == 4  # sizeLimitExceeded: first `limit` shown
    if not truncated:
        check_result(conn, settings.base_dn)
    users = [
        to_user(item, settings)
        for item in conn.response or []
        if item.get("type") == "searchResEntry"
    ]
    return sorted(users, key=lambda u: u.username.lower()), truncated


def list_users(
    connection: DirectoryConnection,
    settings: DirectorySettings,
    scope: ContainerScope | GroupScope,
    progress: Progress | None = None,
) -> tuple[list[DirectoryUser], bool]:
    """The users of a container or group for a list, at most the query size limit;
    (users, truncated)."""
    users: Iterator[DirectoryUser] = read_users(
        connection, settings, scope, progress or NullProgress()
    )
    limit = settings.size_limit or None
    found = list(islice(users, None if limit is None else limit + 1))
    truncated = limit is not None and len(found) > limit
    return sorted(found[:limit], key=lambda u: u.username.lower()), truncated


def _name(entry: dict[str, Any], attr: str) -> str:
    value = entry.get("attributes", {}).get(attr)
    if isinstance(value, list):
        value = value[0] if value else None
    if value:
        return str(value)
    dn = str(entry.get("dn", ""))
    return dn.split(",", 1)[0].split("=", 1)[-1]
