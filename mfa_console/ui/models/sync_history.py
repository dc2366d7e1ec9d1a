"""Table models of the Synchronization tab: runs (a short list) and a run's per-user changes
(fetched in keyset pages as the view scrolls, since a first sync may record 100,000 changes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from mfa_console.core.sync.history import RunRecord, SyncHistory
from mfa_console.core.sync.results import Change
from mfa_console.ui.models.columns import ColumnsTableModel

_Index = QModelIndex | QPersistentModelIndex
RUN_COLUMNS = ("Start (UTC)", "End", "Run", "Status", "Changes", "Errors", "Message")
CHANGES_COLUMN = RUN_COLUMNS.index("Changes")
ERRORS_COLUMN = RUN_COLUMNS.index("Errors")
MESSAGE_COLUMN = RUN_COLUMNS.index("Message")
# The counts of a run in the words of the Changes column, in this order.
_COUNT_WORDS = (
    ("added", "added"),
    ("updated", "updated"),
    ("disabled", "disabled"),
    ("removed", "removed"),
    ("pending_approval", "waiting for approval"),
    ("unchanged", "unchanged"),
)
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
            return _run_tooltip(run, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ERRORS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _run_text(run: RunRecord, column: int) -> str:
    if column == 0:
        return f"{run.started_at:%Y-%m-%d %H:%M:%S}"
    if column == 1:
        return f"{run.ended_at:%H:%M:%S}" if run.ended_at else ""
    if column == 2:
        return f"{run.trigger}, {run.kind}"
    if column == 3:
        return run.status
    if column == CHANGES_COLUMN:
        return changes_text(run.counts, skip_zero=True)
    if column == ERRORS_COLUMN:
        return str(run.counts.get("errors", 0))
    return run.message.replace("\n", " ")


def _run_tooltip(run: RunRecord, column: int) -> str | None:
    if column == CHANGES_COLUMN:
        return changes_text(run.counts, skip_zero=False)
    return run.message or None


def changes_text(counts: dict[str, int], *, skip_zero: bool) -> str:
    """A run's counts for a person: "3 added, 1 disabled, 40 unchanged" (only the non-zero
    ones with ``skip_zero``; "no users" when there are none)."""
    parts = [
        f"{counts.get(key, 0):,} {words}"
        for key, words in _COUNT_WORDS
        if counts.get(key, 0) or not skip_zero
    ]
    return ", ".join(parts) or "no users"


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
