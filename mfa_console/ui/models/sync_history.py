"""Table models of the Synchronization tab: runs (a short list) and a run's per-user changes
(fetched in keyset pages as the view scrolls, since a first sync may record 100,000 changes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.sync.history import RunRecord, SyncHistory
from mfa_console.core.sync.results import Change
from mfa_console.ui.models.columns import ColumnsTableModel

_Index = QModelIndex | QPersistentModelIndex
RUN_COLUMNS = (
    "Start (UTC)",
    "End",
    "Trigger",
    "Kind",
    "Status",
    "Added",
    "Updated",
    "Disabled",
    "Removed",
    "Unchanged",
    "Pending",
    "Errors",
    "Message",
)
MESSAGE_COLUMN = len(RUN_COLUMNS) - 1
_COUNT_KEYS = ("added", "updated", "disabled", "removed", "unchanged", "pending_approval", "errors")
CHANGE_COLUMNS = ("Action", "Username", "Detail", "Directory ID")
PAGE = 500


class SyncRunsModel(ColumnsTableModel):
    columns = RUN_COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._runs: list[RunRecord] = []

    def set_runs(self, runs: list[RunRecord]) -> None:
        self.beginResetModel()
        self._runs = list(runs)
        self.endResetModel()

    def run(self, row: int) -> RunRecord:
        return self._runs[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._runs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._runs):
            return None
        run, column = self._runs[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _run_text(run, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return run.message or None
        if role == Qt.ItemDataRole.TextAlignmentRole and 5 <= column < MESSAGE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _run_text(run: RunRecord, column: int) -> str:
    if column == 0:
        return f"{run.started_at:%Y-%m-%d %H:%M:%S}"
    if column == 1:
        return f"{run.ended_at:%H:%M:%S}" if run.ended_at else ""
    if column <= 4:
        return (run.trigger, run.kind, run.status)[column - 2]
    if column == MESSAGE_COLUMN:
        return run.message.replace("\n", " ")
    return str(run.counts[_COUNT_KEYS[column - 5]])


class SyncChangesModel(ColumnsTableModel):
    columns = CHANGE_COLUMNS

    def __init__(self, history: SyncHistory, parent: Any = None) -> None:
        super().__init__(parent)
        self._history = history
        self._run_id: int | None = None
        self._rows: list[Change] = []
        self._last_id = 0
        self._more = False

    def show_run(self, run_id: int | None) -> None:
        self.beginResetModel()
        self._run_id, self._rows, self._last_id = run_id, [], 0
        self._more = run_id is not None
        self.endResetModel()
        if self._more:
            self.fetchMore(QModelIndex())

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._run_id is None:
            return
        page = self._history.changes_page(self._run_id, self._last_id, PAGE)
        self._more = len(page) == PAGE
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(change for _, change in page)
        self._last_id = page[-1][0]
        self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (change.action, change.username, change.detail, change.directory_id)[
                index.column()
            ]
        return None
