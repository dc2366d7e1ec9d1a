"""The email Test: send a test message with the settings on screen (saved or not), off the GUI
thread, and show the SMTP conversation (never the password) and what went wrong in words. The
Email pane and the guided setup's email step embed it beside the email server form."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.mail.service import SmtpTestResult
from mfa_console.ui.forms.base import buddy
from mfa_console.ui.tasks import Task, run_task

if TYPE_CHECKING:
    from mfa_console.ui.forms.email_server import EmailServerForm


class EmailTestBox(QGroupBox):
    tested = Signal(bool)  # the server accepted the test message (True) or not

    def __init__(
        self, form: EmailServerForm, parent: QWidget | None = None, *, transcript: bool = True
    ) -> None:
        super().__init__("Test", parent)
        self.form = form
        self.task: Task | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.recipient = QLineEdit(placeholderText="recipient of the test message")
        self.test_button = QPushButton("Test")
        self.test_button.clicked.connect(self.start)
        self.recipient.returnPressed.connect(self.start)
        row.addWidget(buddy("Send t&o:", self.recipient))
        row.addWidget(self.recipient, 1)
        row.addWidget(self.test_button)
        layout.addLayout(row)
        self.result = QLabel("Sends a test message with the settings on screen.")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self.transcript = QPlainTextEdit(readOnly=True)
        self.transcript.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.transcript.setPlaceholderText("The SMTP conversation appears here.")
        self.transcript.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.transcript.setVisible(transcript)
        layout.addWidget(self.transcript, 1)

    def start(self) -> None:
        recipient = self.recipient.text().strip()
        if not recipient:
            self.result.setText("Type the address that should receive the test message.")
            self.recipient.setFocus()
            return
        settings, password = self.form.value(), self.form.password.text() or None
        mail = self.form.mail
        self.test_button.setEnabled(False)
        self.result.setText(f"Sending a test message to {html.escape(recipient)}...")
        self.transcript.clear()
        self.task = run_task(
            self,
            lambda _progress: mail.test(recipient, settings, password),
            title="Sending a test message",
            on_done=self._on_done,
            cancellable=False,
        )
        self.task.done.connect(lambda: self.test_button.setEnabled(True))
        self.task.errored.connect(self._on_failed)

    def _on_done(self, result: SmtpTestResult) -> None:
        self.transcript.setPlainText(result.transcript)
        warning = f"<br><span style='color:#a33'>{html.escape(result.warning)}</span>"
        warning = warning if result.warning else ""
        if result.ok:
            self.result.setText(f"<b>Test message accepted by the server.</b>{warning}")
        else:
            error, hint = html.escape(result.error), html.escape(result.hint)
            self.result.setText(f"<b>{error}</b><br>{hint}{warning}")
        self.tested.emit(result.ok)

    def _on_failed(self, _exc: BaseException) -> None:
        self.result.setText("The test message was not sent.")
        self.tested.emit(False)
