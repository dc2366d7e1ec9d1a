"""The audit trail as a lazily fetched table: only row data of fetched pages, filtered in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from mfa_console.core import auditlog, wording
from mfa_console.core.audit import AuditEntry
from mfa_console.core.auditlog import AuditFilter, AuditLog
from mfa_console.ui.models.columns import Index
from mfa_console.ui.models.paged import PagedTableModel


def describe_change(entry: AuditEntry) -> str:
    """Each changed field by its label, ``before → after``, short enough for a table cell."""
    return wording.describe_change(entry.before, entry.after)


class AuditTableModel(PagedTableModel[AuditEntry, AuditFilter]):
    columns = ("Time (UTC)", "User", "Action", "Target", "Change")
    page_size = auditlog.PAGE

    def __init__(self, log: AuditLog, parent: Any = None) -> None:
        super().__init__(AuditFilter(), parent)
        self._log = log

    def next_page(self, last: AuditEntry | None) -> list[AuditEntry]:
        return self._log.page(self._filter, last.id if last else None)

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
