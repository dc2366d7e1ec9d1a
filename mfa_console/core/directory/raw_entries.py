"""Decode search entries to raw values only, skipping ldap3's per-value formatting.

For every entry ldap3 builds two dictionaries: the raw values and the values formatted by
attribute syntax (case-insensitive keys, text decoding, configuration lookups per value). The
user reads need only the raw bytes (``reader.to_user`` maps them itself), and building the
formatted copy is about half of a 100,000-user read. While ``RawEntries(conn)`` is on, a search
entry becomes ``{"type", "dn", "raw_dn", "raw_attributes", "attributes": {}}``.

It replaces one method of the connection's strategy object, only while the block runs, and only
where ldap3 has the method (its fast decoder, the default); an entry carrying a ranged attribute
(``member;range=0-1499``) goes through ldap3's own decoding, which follows the range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ldap3
from ldap3.utils.conv import to_unicode

_SEARCH_RESULT_ENTRY = 4  # protocolOp of searchResEntry in ldap3's fast decoder


class RawEntries:
    """Switch a connection's entry decoding to raw values (``on``) and back (``off``).

    Switched on only around the calls that receive responses (each ``next`` of a paged search),
    so any other search on the same connection between two entries decodes as usual.
    """

    def __init__(self, conn: ldap3.Connection) -> None:
        self._strategy = conn.strategy
        standard: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self._strategy, "decode_response_fast", None
        )
        self._usable = standard is not None and bool(conn.fast_decoder)
        self._standard = standard
        self._before = vars(self._strategy).get("decode_response_fast")

    def _decode(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._standard is not None
        if message.get("protocolOp") == _SEARCH_RESULT_ENTRY:
            entry = _entry(message["payload"])
            if entry is not None:
                return entry
        return self._standard(message)

    def on(self) -> None:
        if self._usable:
            self._strategy.decode_response_fast = self._decode

    def off(self) -> None:
        if not self._usable:
            return
        if self._before is None:
            vars(self._strategy).pop("decode_response_fast", None)  # the class's method again
        else:
            self._strategy.decode_response_fast = self._before


def _entry(payload: Any) -> dict[str, Any] | None:
    """The entry with raw values, or None to let ldap3 decode it (a ranged attribute)."""
    values: dict[str, list[bytes]] = {}
    for attribute in payload[1][3]:
        name = attribute[3][0][3].decode("ascii", "replace")
        if ";range=" in name.lower():
            return None
        found = attribute[3][1][3]
        values[name] = [bytes(value[3]) for value in found] if found else []
    raw_dn = payload[0][3]
    return {
        "type": "searchResEntry",
        "raw_dn": raw_dn,
        "dn": to_unicode(raw_dn, from_server=True),
        "raw_attributes": values,
        "attributes": {},
    }
