"""The authentication log as a lazily fetched table: keyset pages, filters run in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from mfa_console.core.auth.log import PAGE, AuthLogEntry, LogFilter
from mfa_console.core.auth.results import result_text
from mfa_console.core.auth.service import AuthService
from mfa_console.ui.models.columns import Index
from mfa_console.ui.models.paged import PagedTableModel


class AuthLogModel(PagedTableModel[AuthLogEntry, LogFilter]):
    columns = ("Time (UTC)", "Username", "Name", "Result", "Reason", "Client IP", "Server",
               "Application")  # fmt: skip
    page_size = PAGE

    def __init__(self, auth: AuthService, parent: Any = None) -> None:
        super().__init__(LogFilter(), parent)
        self._auth = auth

    def next_page(self, last: AuthLogEntry | None) -> list[AuthLogEntry]:
        after = (last.at, last.id) if last and last.at and last.id else None
        return self._auth.log_page(self._filter, after, PAGE)

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
