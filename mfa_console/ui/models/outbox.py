"""OutboxTableModel: the outbox messages (a few thousand at most; older sent ones are trimmed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.mail.outbox import OutboxEntry
from mfa_console.ui.models.columns import ColumnsTableModel

STATE_LABELS = {
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
    "unconfirmed": "Unconfirmed",
}
COLUMNS = (
    "State",
    "Recipient",
    "User",
    "Template",
    "Subject",
    "Tries",
    "Queued (UTC)",
    "Reason / sent",
)
Index = QModelIndex | QPersistentModelIndex


class OutboxTableModel(ColumnsTableModel):
    columns = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[OutboxEntry] = []

    def set_entries(self, entries: list[OutboxEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> OutboxEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and entry.last_error:
            return entry.last_error
        if role == Qt.ItemDataRole.UserRole:
            return entry.id
        return None

    @staticmethod
    def _display(entry: OutboxEntry, column: int) -> str:
        if column == 0:
            return STATE_LABELS.get(entry.state, entry.state)
        if column == 7:
            if entry.sent_at is not None:
                return f"Sent {entry.sent_at:%Y-%m-%d %H:%M} UTC"
            return entry.last_error
        values = (
            "",
            entry.recipient,
            entry.username or "(administrators)",
            entry.template,
            entry.subject,
            str(entry.attempts),
            f"{entry.created_at:%Y-%m-%d %H:%M}",
        )
        return values[column] if column < len(values) else ""
