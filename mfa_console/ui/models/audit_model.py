"""The audit trail as a lazily fetched table: only row data of fetched pages, filtered in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core import auditlog, wording
from mfa_console.core.audit import AuditEntry
from mfa_console.core.auditlog import AuditFilter, AuditLog

COLUMNS = ("Time (UTC)", "User", "Action", "Target", "Change")
Index = QModelIndex | QPersistentModelIndex


def describe_change(entry: AuditEntry) -> str:
    """Each changed field by its label, ``before → after``, short enough for a table cell."""
    return wording.describe_change(entry.before, entry.after)


class AuditTableModel(QAbstractTableModel):
    def __init__(self, log: AuditLog, parent: Any = None) -> None:
        super().__init__(parent)
        self._log = log
        self._filter = AuditFilter()
        self._rows: list[AuditEntry] = []
        self._more = True

    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def set_filter(self, where: AuditFilter) -> None:
        self.beginResetModel()
        self._filter, self._rows, self._more = where, [], True
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self._filter)

    def entry(self, row: int) -> AuditEntry:
        return self._rows[row]

    # Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if column == 0:
            return entry.at.strftime("%Y-%m-%d %H:%M:%S")
        if column == 4:
            return describe_change(entry)
        if column == 2:
            return wording.action_label(entry.action)
        if column == 3:
            return wording.audit_target(entry.action, entry.target)
        return entry.actor

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        before = self._rows[-1].id if self._rows else None
        page = self._log.page(self._filter, before)
        self._more = len(page) == auditlog.PAGE
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
