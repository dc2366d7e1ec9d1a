"""The Logs pane: the administration audit trail, filtered by time, user and kind of change.

Rows are fetched page by page as the table scrolls; filters run in SQL. Export writes the
filtered trail to CSV off the GUI thread. The application log files are one click away.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
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
from mfa_console.core import paths, wording
from mfa_console.core.auditlog import AuditFilter
from mfa_console.core.db.base import utcnow
from mfa_console.ui import messages
from mfa_console.ui.models.audit_model import AuditTableModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

RANGES = (
    ("Any time", None),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
    ("Between dates", None),
)
BETWEEN = len(RANGES) - 1
KIND_NAMES = {
    "user": "Users",
    "settings": "Settings",
    "backup": "Backup and restore",
    "sync": "Synchronization",
    "email": "Email",
    "activation": "Activation",
}


def open_log_folder() -> bool:
    """Help > Open Log Folder: the folder of the application log files, in the file manager."""
    folder = paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class LogsPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = AuditTableModel(services.audit, self)
        self._build_filters()
        self.table = self._build_table()
        self.count_label = QLabel()
        export = QPushButton("E&xport CSV...")
        export.setToolTip("Save the entries shown (all pages, with these filters) as CSV")
        export.clicked.connect(self._on_export_clicked)
        folder = QPushButton("Open &Log Folder")
        folder.setToolTip(f"The application log files: {paths.log_dir()}")
        folder.clicked.connect(open_log_folder)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(folder)
        bottom.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Logs</h2>"))
        layout.addWidget(QLabel("The administration audit trail: who changed what, and when."))
        layout.addLayout(self._filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.reload_choices()
        self.apply_filter()

    # Building ------------------------------------------------------------------------------
    def _build_filters(self) -> None:
        self.range_box = QComboBox()
        self.range_box.addItems([name for name, _ in RANGES])
        self.since_edit, self.until_edit = QDateEdit(), QDateEdit()
        today = QDate.currentDate()
        for edit, day in ((self.since_edit, today.addDays(-7)), (self.until_edit, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(day)
            edit.setVisible(False)  # shown for "Between dates" only: the row fits 1024 px
            edit.dateChanged.connect(self.apply_filter)
        self.actor_box, self.action_box = QComboBox(), QComboBox()
        # Sized by a number of characters, not by the longest name or action in the trail.
        for box, length in ((self.actor_box, 12), (self.action_box, 18)):
            box.setMinimumContentsLength(length)
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self.target_edit = QLineEdit()
        self.target_edit.setMinimumWidth(120)
        self.target_edit.setPlaceholderText("Target contains...")
        self.target_edit.setClearButtonEnabled(True)
        self.range_box.currentIndexChanged.connect(self._on_range_changed)
        self.actor_box.currentIndexChanged.connect(self.apply_filter)
        self.action_box.currentIndexChanged.connect(self.apply_filter)
        self.target_edit.returnPressed.connect(self.apply_filter)
        self.target_edit.textChanged.connect(self._on_target_changed)
        row = QHBoxLayout()
        for label, widget in (
            ("&When:", self.range_box),
            ("", self.since_edit),
            ("to", self.until_edit),
            ("&User:", self.actor_box),
            ("&Kind:", self.action_box),
        ):
            if label:
                caption = QLabel(label)
                caption.setBuddy(widget)
                row.addWidget(caption)
                if label == "to":
                    self._to_label = caption
                    caption.setVisible(False)
            row.addWidget(widget)
        row.addWidget(self.target_edit, 1)
        self._filters = row

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)  # one line per entry; the whole change is in the tooltip
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        columns = AuditTableModel.columns
        fit_columns(table, columns.index("Change"), maximum=280, stretch_chars=30, keep=(0, 1))
        return table

    def reload_choices(self) -> None:
        """Fill the User and Kind lists from the trail (distinct values, in SQL)."""
        log = self.services.audit
        actions = log.actions()
        for box, items in (
            (self.actor_box, [("All users", None), *((a, a) for a in log.actors())]),
            (self.action_box, [("All changes", None), *_kinds(actions)]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            for text, data in items:
                box.addItem(text, data)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)

    # Filtering -----------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        since = until = None
        index = self.range_box.currentIndex()
        span = RANGES[index][1]
        if span is not None:
            since = utcnow() - span
        elif index == BETWEEN:
            since = datetime.combine(_day(self.since_edit), time())
            until = datetime.combine(_day(self.until_edit), time()) + timedelta(days=1)
        return AuditFilter(
            since=since,
            until=until,
            actor=self.actor_box.currentData(),
            action=self.action_box.currentData(),
            target=self.target_edit.text().strip(),
        )

    def apply_filter(self) -> None:
        where = self.current_filter()
        self.model.set_filter(where)
        if self.model.canFetchMore():
            self.model.fetchMore()
        total = self.services.audit.count(where)
        self.count_label.setText(f"{total:,} entries" if total != 1 else "1 entry")

    def _on_range_changed(self, index: int) -> None:
        for edit in (self.since_edit, self.until_edit):
            edit.setVisible(index == BETWEEN)
        self._to_label.setVisible(index == BETWEEN)
        self.apply_filter()

    def _on_target_changed(self, text: str) -> None:
        if not text:
            self.apply_filter()

    # Export --------------------------------------------------------------------------------
    def _on_export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the audit trail", str(Path.home() / "audit-trail.csv"), "CSV (*.csv)"
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Task:
        log, where = self.services.audit, self.current_filter()

        def done(count: int) -> None:
            messages.info(self, "Export finished", f"{count:,} entries written to {path}.")

        task = run_task(
            self,
            lambda progress: log.export_csv(where, path, progress),
            title="Exporting the audit trail",
            on_done=done,
            error_title="Export failed",
            cancellable=True,
        )
        return task


def _kinds(actions: list[str]) -> list[tuple[str, str]]:
    """ "Users (all)" then each action of that kind, for every kind present."""
    items: list[tuple[str, str]] = []
    kinds = sorted({a.split(".", 1)[0] for a in actions})
    for kind in kinds:
        items.append((f"{KIND_NAMES.get(kind, kind.capitalize())} (all)", f"{kind}."))
        items.extend(
            (f"    {wording.action_label(a)}", a) for a in actions if a.split(".", 1)[0] == kind
        )
    return items


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())
