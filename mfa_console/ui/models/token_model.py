"""The OATH tokens as a table (a list read at once: tokens number in the thousands at most)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.auth.store import TokenInfo

COLUMNS = ("Serial number", "Kind", "User", "State", "TOTP", "Manufacturer", "Model")
Index = QModelIndex | QPersistentModelIndex


class TokenTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[TokenInfo] = []

    def set_tokens(self, tokens: list[TokenInfo]) -> None:
        self.beginResetModel()
        self._rows = list(tokens)
        self.endResetModel()

    def token(self, row: int) -> TokenInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        t = self._rows[index.row()]
        totp = f"{t.algorithm}, {t.digits} digits, {t.period} s"
        values = (t.serial, t.kind, t.username or "", t.state, totp, t.manufacturer, t.model)
        return values[index.column()]
