"""Email pane, Email Settings tab: the email server form (``forms/email_server.py``), the Outbox
button and the Test beside it (``forms/email_test.py``). Saving is the pane's Save / Revert bar."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.forms.email_server import EmailServerForm
from mfa_console.ui.forms.email_test import EmailTestBox


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic focuses ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class EmailSettingsTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.form = EmailServerForm(services.mail)
        self.test_box = EmailTestBox(self.form)
        self.outbox_button = QPushButton("Outbo&x...")
        self.outbox_button.clicked.connect(self._on_outbox_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.outbox_button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addLayout(buttons)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(self.test_box, 2)
        self.form.load()

    def _on_outbox_clicked(self) -> None:
        from mfa_console.ui.dialogs.outbox import OutboxDialog

        OutboxDialog(self._services, self).exec()
