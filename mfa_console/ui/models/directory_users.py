"""A small table model of directory users (a search result or the users of a container or group,
capped in core), for the Import from Active Directory dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.directory.records import DirectoryUser
from mfa_console.ui.models.columns import ColumnsTableModel

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Username", "Name", "Email", "Phone", "Account")


class DirectoryUserModel(ColumnsTableModel):
    columns = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._users: list[DirectoryUser] = []

    def set_users(self, users: list[DirectoryUser]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def user(self, row: int) -> DirectoryUser:
        return self._users[row]

    def users(self) -> list[DirectoryUser]:
        return list(self._users)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._users)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._users):
            return None
        user = self._users[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(user, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return user.dn
        return None

    @staticmethod
    def _text(user: DirectoryUser, column: int) -> str:
        if column == 0:
            return user.username or "(no username)"
        if column == 1:
            return " ".join(p for p in (user.first_name, user.last_name) if p)
        if column == 2:
            return user.email
        if column == 3:
            return next(iter(user.phones.values()), "")
        return "Disabled" if user.disabled else "Enabled"
