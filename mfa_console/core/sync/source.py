"""The directory as the sync engine sees it: read an item's users, change markers, existence.

``LiveSource`` wraps the directory package (connection with failover, the paged reader that asks
only for the mapped attributes) and adds what synchronization needs on top: a change marker taken
*before* a read (``highestCommittedUSN`` for Active Directory, a clock-based ``modifyTimestamp`` for
other LDAP servers) and ``locate``: where the users no item returned are now. Removal is reserved
for users the directory itself no longer has, so that lookup is by the immutable id alone, without
the user filter, under the base DN and then in every naming context of the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from mfa_console.core.progress import Progress, check_cancel

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser
    from mfa_console.core.directory.settings import DirectorySettings
    from mfa_console.core.sync.items import SyncItem

# Clock difference tolerated between this machine and an LDAP server without a change counter:
# incremental reads look back this far (re-reading a change is harmless, missing one is not).
CLOCK_MARGIN = timedelta(minutes=10)
_EXISTS_CHUNK = 100

# Where ``locate`` found a stored directory user that no sync item returned. An id absent from
# its answer is one the directory no longer has (deleted).
MATCHED = "matched"  # under the base DN and matched by the user filter: in no sync item's scope
UNMATCHED = "unmatched"  # under the base DN, but the user filter no longer matches it
OUTSIDE = "outside"  # still in the directory, outside the base DN


class DirectorySource(Protocol):
    kind: str

    def read(
        self, item: SyncItem, progress: Progress, *, extra_filter: str = ""
    ) -> Iterator[DirectoryUser]: ...

    def prepare(self, first: SyncItem, extra_filter: str) -> None:
        """A hint: the marker, then ``first``, will be asked for next (a source may start)."""

    def change_marker(self) -> str: ...

    def changed_since(self, marker: str) -> str: ...

    def locate(self, directory_ids: Sequence[str], progress: Progress) -> dict[str, str]:
        """Where each id is now (MATCHED, UNMATCHED, OUTSIDE); absent ids: deleted."""
        ...


def scope_of(item: SyncItem) -> Any:
    from mfa_console.core.directory.records import ContainerScope, GroupScope

    if item.scope == "group":
        return GroupScope(item.dn, item.nested)
    return ContainerScope(item.dn)


class LiveSource:
    """A ``DirectorySource`` over an open directory connection."""

    def __init__(self, connection: Any, settings: DirectorySettings) -> None:
        self._connection = connection
        self._settings = settings
        self.kind = str(settings.kind)
        self._contexts: list[str] | None = None

    def read(
        self, item: SyncItem, progress: Progress, *, extra_filter: str = ""
    ) -> Iterator[DirectoryUser]:
        from mfa_console.core.directory.reader import read_users

        return read_users(
            self._connection, self._settings, scope_of(item), progress, extra_filter=extra_filter
        )

    def prepare(self, first: SyncItem, extra_filter: str) -> None:
        pass

    def change_marker(self) -> str:
        """A marker such that every later change matches ``changed_since(marker)``.

        Active Directory: ``highestCommittedUSN``. Other LDAP: the newest ``modifyTimestamp``
        among entries changed in the last ``CLOCK_MARGIN`` (the server's own clock), else this
        machine's clock minus the margin.
        """
        from ldap3.core.exceptions import LDAPException

        from mfa_console.core.directory.errors import DirectoryReadError

        try:
            return self._marker()
        except LDAPException as exc:
            raise DirectoryReadError(
                f"Reading the directory's change marker failed ({exc})."
            ) from None

    def _marker(self) -> str:
        if self.kind == "ad":
            return str(self._highest_usn())
        floor = (datetime.now(UTC) - CLOCK_MARGIN).strftime("%Y%m%d%H%M%SZ")
        newest = floor
        for item in self._connection.conn.extend.standard.paged_search(
            self._settings.base_dn,
            f"(modifyTimestamp>={floor})",
            attributes=["modifyTimestamp"],
            paged_size=self._settings.page_size,
            generator=True,
        ):
            for value in item.get("raw_attributes", {}).get("modifyTimestamp", []):
                newest = max(newest, bytes(value).decode("ascii"))
        return newest

    def changed_since(self, marker: str) -> str:
        return self.changed_filter(self._settings)(marker)

    @staticmethod
    def changed_filter(settings: DirectorySettings) -> Callable[[str], str]:
        """The filter of entries changed after a marker, for the kind of directory."""
        if settings.kind == "ad":
            return lambda marker: f"(uSNChanged>={int(marker) + 1})"
        return lambda marker: f"(modifyTimestamp>={marker})"

    def locate(self, directory_ids: Sequence[str], progress: Progress) -> dict[str, str]:
        """Where each of ``directory_ids`` is now; an id absent from the answer was deleted.

        Every search either completes or raises ``DirectoryReadError`` (never a short answer),
        so a failed lookup never makes a user look deleted.
        """
        found: dict[str, str] = {}
        base = self._settings.base_dn
        for start in range(0, len(directory_ids), _EXISTS_CHUNK):
            check_cancel(progress)
            chunk = list(directory_ids[start : start + _EXISTS_CHUNK])
            under_base = self._find(base, chunk)
            matched = self._find(base, sorted(under_base), self._settings.user_filter)
            found.update({i: MATCHED if i in matched else UNMATCHED for i in under_base})
            rest = [i for i in chunk if i not in under_base]
            for context in self._other_contexts() if rest else []:
                found.update(dict.fromkeys(self._find(context, rest), OUTSIDE))
        return found

    def _find(self, base: str, directory_ids: list[str], user_filter: str = "") -> set[str]:
        """The ids of ``directory_ids`` found below ``base`` (all object classes)."""
        from mfa_console.core.directory.identity import identity
        from mfa_console.core.directory.reader import paged_entries

        if not directory_ids:
            return set()
        terms = "".join(self._id_term(i) for i in directory_ids)
        search_filter = f"(&{user_filter}(|{terms}))" if user_filter else f"(|{terms})"
        attribute = self._id_attribute()
        id_type = self._settings.attributes.unique_id_type
        found: set[str] = set()
        for entry in paged_entries(
            self._connection.conn, self._settings, base, search_filter, [attribute], raw=True
        ):
            raw = {k.lower(): v for k, v in entry.get("raw_attributes", {}).items()}
            for value in raw.get(attribute.lower(), [])[:1]:
                try:
                    found.add(identity(bytes(value), id_type))
                except ValueError:
                    continue
        return found

    def _other_contexts(self) -> list[str]:
        """The server's naming contexts (the partitions it holds), read once per source."""
        if self._contexts is None:
            from ldap3.core.exceptions import LDAPException

            from mfa_console.core.directory.errors import DirectoryReadError

            conn = self._connection.conn
            try:
                conn.search("", "(objectClass=*)", "BASE", attributes=["namingContexts"])
            except LDAPException as exc:
                raise DirectoryReadError(
                    f"Reading the directory's naming contexts failed ({exc})."
                ) from None
            values: list[str] = []
            for item in conn.response or []:
                if item.get("type") == "searchResEntry":
                    values += [str(v) for v in item["attributes"].get("namingContexts", [])]
            self._contexts = values
        return self._contexts

    def _id_term(self, directory_id: str) -> str:
        attribute = self._id_attribute()
        if self._settings.attributes.unique_id_type == "guid":
            raw = uuid.UUID(directory_id).bytes_le
            escaped = "".join("\\" + format(b, "02x") for b in raw)
            return f"({attribute}={escaped})"
        from ldap3.utils.conv import escape_filter_chars

        return f"({attribute}={escape_filter_chars(directory_id)})"

    def _id_attribute(self) -> str:
        return self._settings.attributes.unique_id or (
            "objectGUID" if self.kind == "ad" else "entryUUID"
        )

    def _highest_usn(self) -> int:
        conn = self._connection.conn
        conn.search("", "(objectClass=*)", search_scope="BASE", attributes=["highestCommittedUSN"])
        value = conn.entries[0]["highestCommittedUSN"].value
        return int(value)


@contextmanager
def open_live_source(settings: DirectorySettings, password: str | None) -> Iterator[LiveSource]:
    from mfa_console.core.directory.connection import connect

    with connect(settings, password) as connection:
        yield LiveSource(connection, settings)
