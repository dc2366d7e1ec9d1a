"""Check a sync item against the directory before it is added: its container or group exists.

An item naming a container or group the directory does not have would make every later run
fail, so it is refused when the directory answers. When the directory cannot be reached (not
set up yet, server down, bind refused), the item is accepted with a warning: the run that reads
it names it in its error.
"""

from __future__ import annotations

from typing import Any

import ldap3
from ldap3.core import exceptions as lexc

from mfa_console.core.directory.errors import DirectoryError
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ValidationError
from mfa_console.core.sync.items import SyncItem


def check_item(settings: DirectorySettings, password: str | None, item: SyncItem) -> str:
    """Raise ``ValidationError`` when the directory lacks the item's scope; return a warning
    ("" when checked and found) when it could not be asked."""
    from mfa_console.core.directory.connection import connect

    item.validate()
    unchecked = f"{item.dn} was not checked"
    if not settings.is_configured:
        return f"The directory is not set up yet, so {unchecked}. " + _LATER
    try:
        with connect(settings, password) as connection:
            problem = scope_problem(connection.conn, settings, item)
    except DirectoryError as exc:
        return f"The directory could not be asked, so {unchecked} ({exc.message}). " + _LATER
    if problem:
        raise ValidationError({"dn": problem})
    return ""


_LATER = "If it does not exist, synchronization runs will fail and name this item."


def scope_problem(conn: ldap3.Connection, settings: DirectorySettings, item: SyncItem) -> str:
    """Why ``item``'s DN is not a container or group the sync can read ("" when it is)."""
    what = "group" if item.scope == "group" else "container"
    found = _base_search(conn, item.dn, "(objectClass=*)")
    if found is None:
        return f"the {what} {item.dn} does not exist in the directory (pick it with Browse)"
    if item.scope == "group" and not _base_search(conn, item.dn, settings.group_filter):
        return (
            f"{item.dn} is not a group the console reads: the group filter of Directory "
            "Integration > Settings does not match it"
        )
    return ""


def _base_search(conn: ldap3.Connection, dn: str, search_filter: str) -> bool | None:
    """True when ``dn`` matches ``search_filter``, False when not, None when it does not exist."""
    from mfa_console.core.directory.errors import DirectoryReadError

    try:
        conn.search(dn, search_filter, ldap3.BASE, attributes=["1.1"])
    except lexc.LDAPException as exc:
        raise DirectoryReadError(f"Reading {dn} failed ({exc}).") from None
    result: dict[str, Any] = conn.result or {}
    code = result.get("result", -1)
    if code in (32, 34):  # noSuchObject, invalidDNSyntax
        return None
    if code != 0:
        raise DirectoryReadError(f"Reading {dn} failed ({result.get('description', code)}).")
    return any(entry.get("type") == "searchResEntry" for entry in conn.response or [])
