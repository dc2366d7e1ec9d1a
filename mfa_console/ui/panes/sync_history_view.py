"""The history part of the Synchronization tab: runs, the selected run's changes, Export CSV."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.errors import FileAccessError
from mfa_console.core.sync.history import RunRecord, SyncHistory
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.models.sync_history import (
    CHANGE_COLUMNS,
    MESSAGE_COLUMN,
    SyncChangesModel,
    SyncRunsModel,
)
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task


def _table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setMinimumHeight(60)
    return view


class SyncHistoryView(QWidget):
    def __init__(self, history: SyncHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.task: Task | None = None
        self.runs = SyncRunsModel(self)
        self.changes = SyncChangesModel(history, self)
        self.runs_view = _table(self.runs)
        self.changes_view = _table(self.changes)
        fit_columns(self.runs_view, MESSAGE_COLUMN)
        fit_columns(self.changes_view, CHANGE_COLUMNS.index("Detail"))
        self.runs_view.selectionModel().selectionChanged.connect(self._on_runs_selection_changed)
        self.export_button = QPushButton("E&xport CSV...")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.changes_label = QLabel("Changes of the selected run:")
        self.changes_label.setWordWrap(True)
        # One line per run; the whole message in its tooltip.
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.runs_view)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.changes_label)
        lower_layout.addWidget(self.changes_view, 1)
        splitter.addWidget(lower)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>History</b>"))
        header.addStretch(1)
        header.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)

    def refresh(self) -> None:
        self.runs.set_runs(self.history.runs())
        if self.runs.rowCount():
            self.runs_view.selectRow(0)
        else:
            self.changes.show_run(None)

    def _on_runs_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        run = self.runs.run(min(rows)) if rows else None
        self.changes.show_run(run.id if run else None)
        if run:
            self.changes_label.setText(_changes_caption(run, self.changes.rowCount()))
            self.changes_label.setToolTip(run.message)

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export Synchronization History", "sync-history.csv", "CSV files (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        history = self.history

        def work(_progress: Any) -> int:
            try:
                with open(path, "w", newline="", encoding="utf-8") as handle:
                    return history.export_csv(handle)
            except OSError as exc:
                raise FileAccessError.writing(path, exc) from None

        self.task = run_task(
            self,
            work,
            title="Exporting the synchronization history",
            on_done=lambda count: messages.info(
                self, "Export CSV", f"Exported {count:,} changes to {path}."
            ),
            error_title="Export CSV",
        )


def _changes_caption(run: RunRecord, shown: int) -> str:
    """What the changes list shows, and why it is empty when a failed run changed nobody."""
    caption = f"Changes of run #{run.id} ({run.status}):"
    if shown:
        return caption
    errors = run.counts.get("errors", 0)
    if run.status == "failed":
        return f"Run #{run.id} failed before it changed any user: {run.message}"
    if errors:
        return (
            f"Run #{run.id} counted {plural(errors, 'error')} but recorded no change: "
            f"{run.message or 'see the log folder (Help > Open Log Folder).'}"
        )
    return f"{caption} none."
