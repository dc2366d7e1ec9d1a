"""The Users table: a model over ``UserQuery`` that holds only the pages the view has shown.

``rowCount`` is the number of matching users; a row's data is read with its page (a few hundred
rows) the first time the view asks for it, and at most ``MAX_PAGES`` pages are kept. Sorting and
filtering are new queries in SQL, never done in Python.
"""

from __future__ import annotations

import importlib
import sys
from collections import OrderedDict
from datetime import UTC
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer

from mfa_console.core.users.methods import method_label, mode_label
from mfa_console.core.users.query import UserQuery
from mfa_console.core.users.records import User
from mfa_console.core.users.service import UserService

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Username", "username"),
    ("Enabled", "enabled"),
    ("Method", "method"),
    ("Phone", "phone"),
    ("Email", "email"),
    ("User Group", "user_group"),
    ("Source", "source"),
    ("Last changed", "updated_at"),
)
PAGE_SIZE = 100
MAX_PAGES = 30
USER_ID_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


class UserTableModel(QAbstractTableModel):
    """Users matching a search text, in the order of one column, read page by page."""

    def __init__(self, users: UserService, parent: Any = None) -> None:
        super().__init__(parent)
        self._users = users
        self._query = users.query()
        self._count = self._query.count()
        self._pages: OrderedDict[int, list[User]] = OrderedDict()
        self._phones: dict[tuple[str, str], str] = {}
        self._formatter_pending = False

    # Queries -------------------------------------------------------------------------------
    @property
    def query(self) -> UserQuery:
        return self._query

    @property
    def filter_text(self) -> str:
        return self._query.text

    def set_filter(self, text: str) -> None:
        if text != self._query.text:
            self._set_query(self._users.query(text, self._query.sort, self._query.descending))

    def refresh(self) -> None:
        """Read again (after a change here or in another console); positions may move."""
        q = self._query
        self._set_query(self._users.query(q.text, q.sort, q.descending))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self._set_query(self._users.query(self._query.text, COLUMNS[column][1], descending))

    def _set_query(self, query: UserQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._count = query.count()
        self._pages.clear()
        self.endResetModel()

    # Rows ----------------------------------------------------------------------------------
    def user_at(self, row: int) -> User | None:
        """The user on ``row`` (its page is read if needed), or None past the end."""
        if not 0 <= row < self._count:
            return None
        number = row // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            page = self._pages[number] = self._read_page(number)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _read_page(self, number: int) -> list[User]:
        """Page ``number``: next to a page held already (keyset, as cheap anywhere), else by
        position (reversed in the second half)."""
        limit = min(PAGE_SIZE, self._count - number * PAGE_SIZE)
        ids = None
        previous, following = self._pages.get(number - 1), self._pages.get(number + 1)
        if previous and len(previous) == PAGE_SIZE:
            ids = self._query.ids_next_to(previous[-1], limit)
        elif following:
            ids = self._query.ids_next_to(following[0], limit, before=True)
        if ids is None or len(ids) != limit:  # changed meanwhile: read by position
            return self._query.page(number * PAGE_SIZE, limit)
        return self._query.users(ids)

    def row_of(self, user_id: int, near: int = 0) -> int | None:
        """The row of ``user_id``: looked for around ``near`` first, then asked of the query."""
        for row in range(max(0, near - PAGE_SIZE), min(self._count, near + PAGE_SIZE)):
            user = self.user_at(row)
            if user is not None and user.id == user_id:
                return row
        return self._query.position(user_id)

    def loaded_rows(self) -> int:
        """How many rows are held in memory (for tests and the bench)."""
        return sum(len(page) for page in self._pages.values())

    # QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, USER_ID_ROLE):
            return None
        user = self.user_at(index.row())
        if user is None:
            return None
        if role == USER_ID_ROLE:
            return user.id
        key = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(user, key)
        return self._display(user, key)

    def _display(self, user: User, key: str) -> str:
        if key == "enabled":
            return "Yes" if user.enabled else "No"
        if key == "method":
            return method_label(user.method)
        if key == "phone":
            return self._phone(user.phone, user.extension)
        if key == "source":
            return "Directory" if user.source == "directory" else "Manual"
        if key == "updated_at":
            local = user.updated_at.replace(tzinfo=UTC).astimezone()
            return local.strftime("%Y-%m-%d %H:%M")
        return str(getattr(user, key))

    def _tooltip(self, user: User, key: str) -> str | None:
        if key == "method":
            return f"{method_label(user.method)}, mode {mode_label(user.method, user.mode)}"
        if key == "source" and user.dn:
            return user.dn
        if key == "updated_at":
            return f"Changed by {user.updated_by or 'unknown'}"
        return None

    def _phone(self, e164: str | None, extension: str) -> str:
        if not e164:
            return ""
        cache_key = (e164, extension)
        shown = self._phones.get(cache_key)
        if shown is not None:
            return shown
        if len(e164) == 12 and e164.startswith("+1"):
            # North America, as phonenumbers formats it, without parsing (most numbers).
            shown = f"+1 {e164[2:5]}-{e164[5:8]}-{e164[8:]}"
            shown += f" x{extension}" if extension else ""
        elif "mfa_console.core.users.phones" in sys.modules:
            shown = sys.modules["mfa_console.core.users.phones"].format_phone(e164, extension)
        else:
            # phonenumbers takes a tenth of a second to load: not before the first paint.
            if not self._formatter_pending:
                self._formatter_pending = True
                QTimer.singleShot(0, self._on_formatter_timer)
            return e164 + (f" x{extension}" if extension else "")
        if len(self._phones) > 4096:
            self._phones.clear()
        self._phones[cache_key] = shown
        return shown

    def _on_formatter_timer(self) -> None:
        importlib.import_module("mfa_console.core.users.phones")
        column = [key for _title, key in COLUMNS].index("phone")
        if self._count:
            self.dataChanged.emit(self.index(0, column), self.index(self._count - 1, column))
