"""The Outbox: queued, sent, failed (with the reason) and unconfirmed messages; Retry, Discard."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.mail.outbox import OutboxEntry
from mfa_console.core.mail.worker import SendReport
from mfa_console.ui import messages
from mfa_console.ui.models.outbox import COLUMNS, OutboxTableModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

FILTERS = {
    "All messages": None,
    "Waiting (queued)": ("queued", "sending"),
    "Sent": ("sent",),
    "Failed": ("failed",),
    "Unconfirmed": ("unconfirmed",),
}
SUBJECT_COLUMN = COLUMNS.index("Subject")


class OutboxDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.task: Task | None = None
        self.setWindowTitle("Email Outbox")
        self.resize(980, 480)
        self.model = OutboxTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        fit_columns(self.view, SUBJECT_COLUMN)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        top = QHBoxLayout()
        show = QLabel("S&how:")
        show.setBuddy(self.filter)
        top.addWidget(show)
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self._build_buttons())
        self.refresh()
        self.view.setFocus()

    def _build_buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        self.send_button = self._add(box, "&Send now", self._on_send_clicked)
        self.retry_button = self._add(box, "&Retry", self._on_retry_clicked)
        self.discard_button = self._add(box, "&Discard", self._on_discard_clicked)
        self.refresh_button = self._add(box, "Re&fresh", self.refresh)
        return box

    @staticmethod
    def _add(box: QDialogButtonBox, text: str, slot: object) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        states = FILTERS[self.filter.currentText()]
        self.model.set_entries(self._services.mail.outbox(states))
        counts = self._services.mail.outbox_counts()
        waiting = sum(counts.get(s, 0) for s in ("queued", "sending"))
        self.summary.setText(
            f"{waiting} waiting, {counts.get('sent', 0)} sent, {counts.get('failed', 0)} failed, "
            f"{counts.get('unconfirmed', 0)} unconfirmed"
        )
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        return [self.model.entry(row).id for row in sorted(rows)]

    def _update_buttons(self) -> None:
        entries = [self.model.entry(i.row()) for i in self.view.selectionModel().selectedRows()]
        self.retry_button.setEnabled(
            any(e.state in ("failed", "unconfirmed", "queued") for e in entries)
        )
        self.discard_button.setEnabled(any(e.state != "sending" for e in entries))

    def _on_retry_clicked(self) -> None:
        ids = self.selected_ids()
        unconfirmed = [e for e in self.model_entries(ids) if e.state == "unconfirmed"]
        if unconfirmed and not messages.confirm(
            self,
            "Send again?",
            f"{len(unconfirmed)} selected messages were probably delivered already. Send them "
            "again anyway?",
        ):
            return
        retried = self._services.mail.retry(ids)
        self.refresh()
        if retried < len(ids):
            messages.info(
                self,
                "Retry",
                f"{retried} of {len(ids)} selected messages were queued again.",
                "Sent messages are never sent again; use Send Email on the Users pane instead.",
            )

    def model_entries(self, ids: list[int]) -> list[OutboxEntry]:
        wanted = set(ids)
        return [
            self.model.entry(r)
            for r in range(self.model.rowCount())
            if self.model.entry(r).id in wanted
        ]

    def _on_discard_clicked(self) -> None:
        ids = self.selected_ids()
        if not messages.confirm(
            self, "Discard messages?", f"Delete {len(ids)} selected messages from the outbox?"
        ):
            return
        self._services.mail.discard(ids)
        self.refresh()

    def _on_send_clicked(self) -> None:
        self.send_button.setEnabled(False)
        self.task = run_task(
            self,
            lambda progress: self._services.mail.send_now(progress),
            title="Sending the outbox",
            on_done=self._on_send_done,
            error_title="Outbox not sent",
            cancellable=True,
        )
        self.task.errored.connect(self._on_send_failed)

    def _on_send_done(self, report: SendReport) -> None:
        self.send_button.setEnabled(True)
        self.refresh()
        text = f"Sent {report.sent}, failed {report.failed}, waiting to retry {report.retrying}."
        if report.held:
            text += f" {report.held} messages wait because Send emails to users is off."
        if report.error:
            messages.warning(self, "Outbox", text, report.error)
        else:
            messages.info(self, "Outbox", text)

    def _on_send_failed(self, _exc: object) -> None:
        self.send_button.setEnabled(True)
        self.refresh()
