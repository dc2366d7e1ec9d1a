"""Send Email (Users pane): what each selected user will receive, then queue and send.

``SendEmailDialog(services, user_ids, parent)`` previews, per user, the template the console chose,
the recipient and the rendered message. Send queues the messages (one transaction) and sends the
outbox, off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.db.lease import LeaseHeldError
from mfa_console.core.mail.service import UserPreview
from mfa_console.core.mail.worker import SendReport
from mfa_console.core.progress import CancelToken
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.tasks import Task, run_task


class SendEmailDialog(QDialog):
    def __init__(
        self, services: Services, user_ids: Sequence[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.task: Task | None = None
        self.setWindowTitle("Send Email")
        self.resize(900, 560)
        self.previews = services.mail.preview_users(user_ids)
        self.sendable = [p for p in self.previews if p.rendered is not None]
        settings = services.mail.settings()
        self.banner = QLabel(self._banner_text(settings.send_to_users, settings.configured))
        self.banner.setWordWrap(True)
        self.users = QListWidget()
        self.users.currentRowChanged.connect(self._on_user_changed)
        for preview in self.previews:
            self.users.addItem(self._item(preview))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.users)
        splitter.addWidget(self._build_preview())
        splitter.setSizes([300, 600])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(
            f"&Send to {plural(len(self.sendable), 'user')}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send_button.setEnabled(
            bool(self.sendable) and settings.send_to_users and settings.configured
        )
        self.buttons.accepted.connect(self._on_send_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        if self.previews:
            self.users.setCurrentRow(0)

    def _banner_text(self, send_to_users: bool, configured: bool) -> str:
        if not configured:
            return (
                "<b>Email is not set up.</b> Enter the SMTP server and From address on the "
                "Email pane first."
            )
        if not send_to_users:
            return (
                "<b>Send emails to users is off</b> (Email pane, Email Settings): nothing "
                "will be sent."
            )
        skipped = len(self.previews) - len(self.sendable)
        text = f"{len(self.sendable)} of {len(self.previews)} selected users will get a message."
        return text + (f" {skipped} cannot (see the list)." if skipped else "")

    def _build_preview(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.html_view = QTextBrowser()
        self.html_view.setOpenLinks(False)
        self.text_view = QPlainTextEdit(readOnly=True)
        self.tabs.addTab(self.html_view, "HTML")
        self.tabs.addTab(self.text_view, "Text")
        layout.addWidget(self.tabs, 1)
        return widget

    @staticmethod
    def _item(preview: UserPreview) -> QListWidgetItem:
        if preview.rendered is None:
            item = QListWidgetItem(f"{preview.username}  -  cannot send")
            item.setToolTip(preview.problem)
            item.setForeground(Qt.GlobalColor.darkRed)
        else:
            item = QListWidgetItem(f"{preview.username}  ->  {preview.recipient}")
            item.setToolTip(preview.template_name)
        return item

    def _on_user_changed(self, row: int) -> None:
        if not 0 <= row < len(self.previews):
            return
        preview = self.previews[row]
        if preview.rendered is None:
            self.header.setText(f"{preview.username}: {preview.problem}")
            self.html_view.clear()
            self.text_view.clear()
            return
        rendered = preview.rendered
        self.header.setText(
            f"To: {preview.recipient}\nTemplate: {preview.template_name}\n"
            f"Subject: {rendered.subject}"
        )
        self.text_view.setPlainText(rendered.text)
        if rendered.html:
            self.html_view.setHtml(rendered.html)
        else:
            self.html_view.setPlainText(rendered.text)

    def _on_send_clicked(self) -> None:
        ids = [p.user_id for p in self.sendable]
        self.send_button.setEnabled(False)

        def work(progress: CancelToken) -> SendReport | None:
            self._services.mail.queue_users(ids, "manual")
            try:
                return self._services.mail.send_now(progress)
            except LeaseHeldError:
                return None  # another console or the service is sending: it sends these too

        self.task = run_task(
            self, work, title="Sending email", on_done=self._on_sent, error_title="Send Email"
        )
        self.task.errored.connect(lambda _exc: self.send_button.setEnabled(True))

    def _on_sent(self, report: SendReport | None) -> None:
        if report is None:
            messages.info(
                self,
                "Send Email",
                f"Queued {len(self.sendable)} messages. Another console or the background service "
                "is sending the outbox and will send them.",
            )
            self.accept()
            return
        text = f"Sent {report.sent} messages."
        if report.failed or report.retrying:
            text += f" {report.failed} failed, {report.retrying} wait to be retried (see Outbox)."
        if report.error:
            messages.warning(self, "Send Email", text, report.error)
        else:
            messages.info(self, "Send Email", text)
        self.accept()
