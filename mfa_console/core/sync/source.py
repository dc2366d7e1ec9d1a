"""The directory as the sync engine sees it: read an item's users, change markers, existence.

``LiveSource`` wraps the directory package (connection with failover, the paged reader that asks
only for the mapped attributes) and adds what synchronization needs on top: a change marker taken
*before* a read (``highestCommittedUSN`` for Active Directory, a clock-based ``modifyTimestamp`` for
other LDAP servers) and a check of which vanished users still exist elsewhere in the directory.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from mfa_console.core.progress import Progress

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser
    from mfa_console.core.directory.settings import DirectorySettings
    from mfa_console.core.sync.items import SyncItem

# Clock difference tolerated between this machine and an LDAP server without a change counter:
# incremental reads look back this far (re-reading a change is harmless, missing one is not).
CLOCK_MARGIN = timedelta(minutes=10)
_EXISTS_CHUNK = 100


class DirectorySource(Protocol):
    kind: str

    def read(
        self, item: SyncItem, progress: Progress, *, extra_filter: str = ""
    ) -> Iterator[DirectoryUser]: ...

    def prepare(self, first: SyncItem, extra_filter: str) -> None:
        """A hint: the marker, then ``first``, will be asked for next (a source may start)."""

    def change_marker(self) -> str: ...

    def changed_since(self, marker: str) -> str: ...

    def still_exist(self, directory_ids: Sequence[str], progress: Progress) -> set[str]: ...


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

    def still_exist(self, directory_ids: Sequence[str], progress: Progress) -> set[str]:
        """Which of ``directory_ids`` the base DN still holds (anywhere, under any name)."""
        from mfa_console.core.directory.records import ContainerScope

        found: set[str] = set()
        base = ContainerScope(self._settings.base_dn)
        for start in range(0, len(directory_ids), _EXISTS_CHUNK):
            chunk = directory_ids[start : start + _EXISTS_CHUNK]
            terms = "".join(self._id_term(i) for i in chunk)
            from mfa_console.core.directory.reader import read_users

            for user in read_users(
                self._connection, self._settings, base, progress, extra_filter=f"(|{terms})"
            ):
                found.add(user.directory_id)
        return found

    def _id_term(self, directory_id: str) -> str:
        attribute = self._id_attribute()
        if self._settings.attributes.unique_id_type == "guid":
            raw = uuid.UUID(directory_id).bytes_le
            escaped = "".join("\\" + format(b, "02x") for b in raw)
            return f"({attribute}={escaped})"
        return f"({attribute}={directory_id})"

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
