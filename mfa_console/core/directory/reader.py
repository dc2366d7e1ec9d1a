"""Read directory users of a container or a group, paged, asking only the mapped attributes.

Never a silent short list: a search that fails, is cut by a size or time limit, loses its
connection or names a scope that does not exist raises ``DirectoryReadError``. Entries without the
unique id or a username are still yielded (``directory_id`` / ``username`` empty) so the caller can
report them as skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ldap3
from ldap3.core import exceptions as lexc
from ldap3.utils.conv import escape_filter_chars

from mfa_console.core.directory.connection import DirectoryConnection
from mfa_console.core.directory.errors import DirectoryReadError
from mfa_console.core.directory.identity import identity
from mfa_console.core.directory.raw_entries import RawEntries
from mfa_console.core.directory.records import ContainerScope, DirectoryUser, GroupScope
from mfa_console.core.directory.settings import AttributeMap, DirectorySettings
from mfa_console.core.progress import Progress, check_cancel

NESTED_MEMBER_RULE = "1.2.840.113556.1.4.1941"
ASQ_CONTROL = "1.2.840.113556.1.4.1504"  # attribute scoped query (Active Directory)
UAC_DISABLED = 0x2
_REPORT_EVERY = 500
_GROUP_MEMBER_ATTRS = ("member", "uniqueMember")
# Above this many members a group is read by one paged subtree search, not one read per member.
_MEMBER_READS_MAX = 300


def read_users(
    connection: DirectoryConnection,
    settings: DirectorySettings,
    scope: ContainerScope | GroupScope,
    progress: Progress,
    *,
    extra_filter: str = "",
) -> Iterator[DirectoryUser]:
    """Yield the users of ``scope`` mapped by ``settings.attributes``."""
    conn = connection.conn
    attrs = user_attributes(settings)
    ensure_exists(conn, scope.dn)
    done = 0
    if isinstance(scope, GroupScope) and not settings.is_ad:
        entries: Iterable[dict[str, Any]] = _ldap_group_entries(
            conn, settings, scope, attrs, extra_filter, progress
        )
    elif isinstance(scope, GroupScope) and not scope.nested and settings.attribute_scope_queries:
        search_filter = _and(settings.user_filter, extra_filter)
        entries = paged_entries(
            conn, settings, scope.dn, search_filter, attrs, ldap3.BASE, raw=True,
            controls=[attribute_scope("member")],
        )  # fmt: skip
    else:
        base, search_filter = _search_for(settings, scope, extra_filter)
        entries = paged_entries(conn, settings, base, search_filter, attrs, raw=True)
    for entry in entries:
        yield to_user(entry, settings)
        done += 1
        if done % _REPORT_EVERY == 0:
            progress.report(done, None, f"Read {done} users from the directory")
            check_cancel(progress)
    progress.report(done, done, f"Read {done} users from the directory")


def user_attributes(settings: DirectorySettings) -> list[str]:
    attrs = settings.attributes.ldap_attributes()
    if settings.is_ad:
        attrs.append("userAccountControl")
    return attrs


def attribute_scope(attribute: str) -> tuple[str, bool, bytes]:
    """The ASQ request control: search the entries named by ``attribute`` of the base entry."""
    name = attribute.encode("ascii")
    value = b"\x04" + bytes([len(name)]) + name  # OCTET STRING sourceAttribute
    return ASQ_CONTROL, True, b"\x30" + bytes([len(value)]) + value  # SEQUENCE


def _and(*filters: str) -> str:
    parts = [f for f in filters if f]
    return parts[0] if len(parts) == 1 else f"(&{''.join(parts)})"


def _search_for(
    settings: DirectorySettings, scope: ContainerScope | GroupScope, extra_filter: str
) -> tuple[str, str]:
    if isinstance(scope, GroupScope):
        rule = f":{NESTED_MEMBER_RULE}:" if scope.nested else ""
        member_of = f"(memberOf{rule}={escape_filter_chars(scope.dn)})"
        return settings.base_dn, _and(settings.user_filter, member_of, extra_filter)
    return scope.dn, _and(settings.user_filter, extra_filter)


def paged_entries(
    conn: ldap3.Connection,
    settings: DirectorySettings,
    base: str,
    search_filter: str,
    attributes: list[str],
    scope: str = ldap3.SUBTREE,
    *,
    raw: bool = False,
    controls: list[tuple[str, bool, bytes]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Entries of a paged search; raises DirectoryReadError unless the search completed.

    ``raw``: entries carry ``raw_attributes`` only (what ``to_user`` reads), decoded about twice
    as fast; their ``attributes`` is empty.
    """
    decoding = RawEntries(conn) if raw else None
    try:
        search = conn.extend.standard.paged_search(
            base,
            search_filter,
            search_scope=scope,
            attributes=attributes,
            paged_size=settings.page_size,
            paged_criticality=True,
            time_limit=settings.search_timeout,
            controls=controls,
            generator=True,
        )
        while True:
            if decoding is not None:
                decoding.on()
            try:
                item = next(search, None)
            finally:
                if decoding is not None:
                    decoding.off()
            if item is None:
                break
            if item.get("type") == "searchResEntry":
                yield item
    except lexc.LDAPException as exc:
        raise DirectoryReadError(
            f"Reading the directory failed ({exc}); nothing was read completely.",
            hint="Check the connection to the directory server and try again.",
        ) from None
    check_result(conn, base)


def check_result(conn: ldap3.Connection, base: str) -> None:
    result = conn.result or {}
    code = result.get("result", -1)
    if code == 0:
        return
    name = result.get("description", "unknown")
    message = result.get("message", "")
    if code == 32:  # noSuchObject
        raise DirectoryReadError(
            f"{base} does not exist in the directory.",
            hint="Pick the container or group again: it may have been renamed or moved.",
        )
    if code == 12:  # unavailableCriticalExtension: a control the server does not support
        raise DirectoryReadError(
            f"The directory does not support a search option the console asked for ({message}).",
            hint="For groups, untick Use attribute scope queries in Directory Integration > "
            "Settings.",
        )
    if code in (3, 4, 11):  # time limit, size limit, admin limit
        raise DirectoryReadError(
            f"The directory returned only part of the result ({name}).",
            hint="Raise the server's limits for the bind account or lower the page size.",
        )
    raise DirectoryReadError(
        f"The directory search under {base} failed ({name}{': ' + message if message else ''}).",
        hint="Check the filters and the bind account's permissions.",
    )


def ensure_exists(conn: ldap3.Connection, dn: str) -> None:
    """Raise DirectoryReadError when ``dn`` is not an entry (a wrong scope never means "none")."""
    try:
        conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["1.1"])
    except lexc.LDAPException as exc:
        raise DirectoryReadError(f"Reading {dn} failed ({exc}).") from None
    check_result(conn, dn)
    if not any(item.get("type") == "searchResEntry" for item in conn.response or []):
        raise DirectoryReadError(f"{dn} cannot be read (no entry returned).")


@dataclass(frozen=True)
class _Plan:
    """The lower-cased attribute of each field, worked out once per attribute map."""

    unique_id: str
    username: str
    username_backup: str
    texts: tuple[tuple[str, str], ...]  # (DirectoryUser field, attribute)
    phones: tuple[tuple[str, str], ...]  # (phone kind, attribute)
    languages: tuple[tuple[str, str], ...]  # (method, attribute)


@lru_cache(maxsize=8)
def _plan(amap: AttributeMap) -> _Plan:
    def pairs(mapping: dict[str, str]) -> tuple[tuple[str, str], ...]:
        found = ((key, getattr(amap, name).lower()) for key, name in mapping.items())
        return tuple((key, attr) for key, attr in found if attr)

    texts = {f: f for f in ("first_name", "last_name", "email", "user_group", "description")}
    texts["extension"] = "extension"
    return _Plan(
        unique_id=amap.unique_id.lower(),
        username=amap.username.lower(),
        username_backup=amap.username_backup.lower(),
        texts=pairs(texts),
        phones=pairs(amap.PHONE_FIELDS),
        languages=pairs(amap.LANGUAGE_FIELDS),
    )


def _decode(values: Any) -> str:
    if not values:
        return ""
    value = values[0] if isinstance(values, list | tuple) else values
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace").strip()
    return str(value).strip()


def to_user(entry: dict[str, Any], settings: DirectorySettings) -> DirectoryUser:
    """Map one search entry; an unreadable id or a missing username becomes ""."""
    plan = _plan(settings.attributes)
    raw = {key.lower(): values for key, values in entry.get("raw_attributes", {}).items()}
    raw_id = raw.get(plan.unique_id)
    try:
        directory_id = (
            identity(bytes(raw_id[0]), settings.attributes.unique_id_type) if raw_id else ""
        )
    except ValueError:
        directory_id = ""
    texts = {field: _decode(raw.get(attr)) for field, attr in plan.texts}
    phones = {kind: _decode(raw.get(attr)) for kind, attr in plan.phones}
    languages = {method: _decode(raw.get(attr)) for method, attr in plan.languages}
    username = _decode(raw.get(plan.username)) if plan.username else ""
    if not username and plan.username_backup:
        username = _decode(raw.get(plan.username_backup))
    disabled = False
    if settings.is_ad:
        uac = _decode(raw.get("useraccountcontrol"))
        disabled = uac.lstrip("-").isdigit() and bool(int(uac) & UAC_DISABLED)
    return DirectoryUser(
        directory_id=directory_id,
        dn=str(entry.get("dn", "")),
        username=username,
        phones={k: v for k, v in phones.items() if v},
        languages={k: v for k, v in languages.items() if v},
        disabled=disabled,
        **texts,
    )


# -- generic LDAP groups: walk member / uniqueMember -----------------------------------------------
def _ldap_group_entries(
    conn: ldap3.Connection,
    settings: DirectorySettings,
    scope: GroupScope,
    attrs: list[str],
    extra_filter: str,
    progress: Progress,
) -> Iterator[dict[str, Any]]:
    members = group_member_dns(conn, settings, scope.dn, scope.nested, progress)
    user_filter = _and(settings.user_filter, extra_filter)
    if len(members) > _MEMBER_READS_MAX:
        wanted = {_norm(dn) for dn in members}
        for entry in paged_entries(conn, settings, settings.base_dn, user_filter, attrs, raw=True):
            if _norm(entry["dn"]) in wanted:
                yield entry
        return
    for dn in sorted(members):
        check_cancel(progress)
        found = _read_one(conn, dn, user_filter, attrs)
        if found is not None:
            yield found


def group_member_dns(
    conn: ldap3.Connection,
    settings: DirectorySettings,
    group: str,
    nested: bool,
    progress: Progress,
) -> set[str]:
    """DNs of the non-group members of ``group`` (of member groups too when ``nested``)."""
    seen_groups: set[str] = set()
    members: set[str] = set()
    pending = [group]
    while pending:
        check_cancel(progress)
        dn = pending.pop()
        if _norm(dn) in seen_groups:
            continue
        seen_groups.add(_norm(dn))
        group_entry = _read_one(conn, dn, "(objectClass=*)", [*_GROUP_MEMBER_ATTRS, "objectClass"])
        if group_entry is None:
            continue
        for value in _member_values(group_entry):
            sub = _read_one(conn, value, settings.group_filter, ["1.1"]) if nested else None
            if sub is not None:
                pending.append(value)
            elif value != dn:
                members.add(value)
    return members


def _member_values(entry: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for key, found in entry["attributes"].items():
        if key.lower() in ("member", "uniquemember"):
            # uniqueMember may carry "#'0101'B" (an optional unique id) after the DN
            values += [str(v).split("#", 1)[0] for v in found]
    return values


def _read_one(
    conn: ldap3.Connection, dn: str, search_filter: str, attrs: list[str]
) -> dict[str, Any] | None:
    """One entry by DN if it matches ``search_filter`` (None if not, or if it does not exist)."""
    try:
        conn.search(dn, search_filter, ldap3.BASE, attributes=attrs)
    except lexc.LDAPException as exc:
        raise DirectoryReadError(f"Reading {dn} failed ({exc}).") from None
    code = (conn.result or {}).get("result", -1)
    if code == 32:
        return None
    check_result(conn, dn)
    for item in conn.response or []:
        if item.get("type") == "searchResEntry":
            return dict(item)
    return None


def _norm(dn: str) -> str:
    return ",".join(part.strip().lower() for part in dn.split(","))
