"""The Logs pane's Authentication tab: every verification, filtered by user, result and date.

Pages are fetched as the table scrolls; the first page of any filter comes from an index. Export
writes the filtered log to CSV off the GUI thread (cells a spreadsheet would run are defused).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.auth.log import LogFilter
from mfa_console.core.auth.results import ResultCode
from mfa_console.core.db.base import utcnow
from mfa_console.ui import messages
from mfa_console.ui.models.auth_log_model import AuthLogModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

SPANS = (
    ("Any time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)


class AuthLogTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = AuthLogModel(services.auth, self)
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText("Username (exact)")
        self.user_edit.setClearButtonEnabled(True)
        self.user_edit.returnPressed.connect(self.apply_filter)
        self.result_box = QComboBox()
        self.result_box.addItem("All results", "")
        for code in ResultCode:
            self.result_box.addItem(str(code), str(code))
        self.result_box.currentIndexChanged.connect(self.apply_filter)
        self.span_box = QComboBox()
        for text, span in SPANS:
            self.span_box.addItem(text, span)
        self.span_box.currentIndexChanged.connect(self.apply_filter)
        self.table = self._build_table()
        export = QPushButton("E&xport CSV...")
        export.clicked.connect(self._on_export_clicked)
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.apply_filter)
        filters = QHBoxLayout()
        for caption, widget in (("User:", self.user_edit), ("Result:", self.result_box),
                                ("When:", self.span_box)):  # fmt: skip
            filters.addWidget(QLabel(caption))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(refresh)
        filters.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.apply_filter()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("auth-log-table")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        columns = AuthLogModel.columns
        keep = (columns.index("Time (UTC)"), columns.index("Result"))
        fit_columns(table, columns.index("Reason"), maximum=280, stretch_chars=24, keep=keep)
        return table

    def current_filter(self) -> LogFilter:
        span = self.span_box.currentData()
        return LogFilter(
            user=self.user_edit.text().strip(),
            result=str(self.result_box.currentData() or ""),
            since=utcnow() - span if span is not None else None,
        )

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        if self.model.canFetchMore():
            self.model.fetchMore()

    def _on_export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the authentication log", str(Path.home() / "authentication-log.csv"),
            "CSV (*.csv)",
        )  # fmt: skip
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Task:
        auth, where = self.services.auth, self.current_filter()

        def done(count: int) -> None:
            messages.info(self, "Export finished", f"{count:,} entries written to {path}.")

        return run_task(
            self,
            lambda progress: auth.export_log(where, path, progress),
            title="Exporting the authentication log",
            on_done=done,
            error_title="Export failed",
            cancellable=True,
        )
