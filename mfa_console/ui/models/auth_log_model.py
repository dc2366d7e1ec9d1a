"""The authentication log as a lazily fetched table: keyset pages, filters run in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.auth.log import PAGE, AuthLogEntry, LogFilter, page
from mfa_console.core.auth.results import result_text
from mfa_console.core.db import Database

COLUMNS = ("Time (UTC)", "Username", "Name", "Result", "Reason", "Client IP", "Server",
           "Application")  # fmt: skip
Index = QModelIndex | QPersistentModelIndex


class AuthLogModel(QAbstractTableModel):
    def __init__(self, db: Database, parent: Any = None) -> None:
        super().__init__(parent)
        self._db = db
        self._filter = LogFilter()
        self._rows: list[AuthLogEntry] = []
        self._more = True

    @property
    def filter(self) -> LogFilter:
        return self._filter

    def set_filter(self, where: LogFilter) -> None:
        self.beginResetModel()
        self._filter, self._rows, self._more = where, [], True
        self.endResetModel()

    def entry(self, row: int) -> AuthLogEntry:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return result_text(entry.result)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        name = " ".join(p for p in (entry.first_name, entry.last_name) if p)
        server = " ".join(p for p in (entry.server_name, entry.server_ip) if p)
        at = entry.at.strftime("%Y-%m-%d %H:%M:%S") if entry.at else ""
        values = (at, entry.username, name, entry.result, entry.reason, entry.client_ip, server,
                  entry.application)  # fmt: skip
        return values[index.column()]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        last = self._rows[-1] if self._rows else None
        after = (last.at, last.id) if last and last.at and last.id else None
        rows = page(self._db, self._filter, after, PAGE)
        self._more = len(rows) == PAGE
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
