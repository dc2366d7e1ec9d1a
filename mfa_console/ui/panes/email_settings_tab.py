"""Email pane, Email Settings tab: SMTP server, security, sender, Send emails to users, Test.

The form reads and writes an ``EmailSettings`` (validated in core). The password goes to the OS
keyring only; an empty password field keeps the stored one. Test sends to the address typed next
to it with the values on screen (saved or not), off the GUI thread, and shows the SMTP conversation
(never the password) and what went wrong in words.
"""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.mail.service import SmtpTestResult
from mfa_console.core.mail.settings import DEFAULT_PORTS, SECURITY, TIMEOUT_RANGE, EmailSettings
from mfa_console.ui import messages
from mfa_console.ui.tasks import Task, run_task


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic focuses ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class EmailSettingsTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.task: Task | None = None
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(self._build_server_group())
        left.addWidget(self._build_sender_group())
        left.addWidget(self._build_buttons())
        left.addStretch(1)
        layout.addLayout(left, 3)
        layout.addWidget(self._build_test_group(), 2)
        self.load()

    # Building ------------------------------------------------------------------------------
    def _build_server_group(self) -> QGroupBox:
        box = QGroupBox("SMTP server")
        form = QFormLayout(box)
        self.server = QLineEdit(placeholderText="smtp.example.com")
        self.port = QSpinBox(minimum=1, maximum=65535)
        self.security = QComboBox()
        for key, label in SECURITY.items():
            self.security.addItem(label, key)
        self.security.currentIndexChanged.connect(self._on_security_changed)
        row = QHBoxLayout()
        row.addWidget(self.server, 1)
        row.addWidget(buddy_label("&Port:", self.port))
        row.addWidget(self.port)
        form.addRow(buddy_label("Ser&ver:", self.server), row)
        form.addRow("Se&curity:", self.security)
        form.addRow("Certificate:", self._build_verify_row())
        self.username = QLineEdit(placeholderText="leave empty if the server needs no login")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("User&name:", self.username)
        form.addRow("Pass&word:", self.password)
        low, high = TIMEOUT_RANGE
        self.timeout = QSpinBox(minimum=low, maximum=high, suffix=" s")
        self.timeout.setMaximumWidth(120)
        form.addRow("Timeo&ut:", self.timeout)
        return box

    def _build_verify_row(self) -> QWidget:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.verify_system = QRadioButton("S&ystem store")
        self.verify_file = QRadioButton("CA f&ile:")
        group = QButtonGroup(widget)
        group.addButton(self.verify_system)
        group.addButton(self.verify_file)
        self.ca_file = QLineEdit(placeholderText="PEM file of the CA")
        self.browse = QPushButton("&Browse...")
        self.browse.clicked.connect(self._on_browse_clicked)
        self.verify_file.toggled.connect(self._on_verify_toggled)
        for w in (self.verify_system, self.verify_file):
            row.addWidget(w)
        row.addWidget(self.ca_file, 1)
        row.addWidget(self.browse)
        return widget

    def _build_sender_group(self) -> QGroupBox:
        box = QGroupBox("Sender and recipients")
        form = QFormLayout(box)
        self.from_address = QLineEdit(placeholderText="mfa@example.com")
        self.from_name = QLineEdit(placeholderText="e.g. IT Help Desk")
        self.portal_url = QLineEdit(placeholderText="https://mfa.example.com/portal")
        self.admin_addresses = QLineEdit(placeholderText="admin@example.com, ops@example.com")
        self.admin_addresses.setToolTip(
            "Who gets the notice that a synchronization waits for approval"
        )
        form.addRow("Fro&m address:", self.from_address)
        form.addRow("From &display name:", self.from_name)
        form.addRow("User Portal UR&L:", self.portal_url)
        form.addRow("&Administrators:", self.admin_addresses)
        self.send_to_users = QCheckBox("Send &emails to users")
        self.send_to_users.setToolTip("While this is off, no message is ever sent to a user.")
        form.addRow("", self.send_to_users)
        return box

    def _build_buttons(self) -> QWidget:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.outbox_button = QPushButton("Outbo&x...")
        self.outbox_button.clicked.connect(self._on_outbox_clicked)
        self.revert_button = QPushButton("&Revert")
        self.revert_button.clicked.connect(self.load)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self._on_apply_clicked)
        row.addWidget(self.outbox_button)
        row.addStretch(1)
        row.addWidget(self.revert_button)
        row.addWidget(self.apply_button)
        return widget

    def _build_test_group(self) -> QGroupBox:
        box = QGroupBox("Test")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.test_recipient = QLineEdit(placeholderText="recipient of the test message")
        self.test_button = QPushButton("Te&st")
        self.test_button.clicked.connect(self._on_test_clicked)
        row.addWidget(buddy_label("Send t&o:", self.test_recipient))
        row.addWidget(self.test_recipient, 1)
        row.addWidget(self.test_button)
        layout.addLayout(row)
        self.test_result = QLabel("Sends a test message with the settings on screen.")
        self.test_result.setWordWrap(True)
        layout.addWidget(self.test_result)
        self.transcript = QPlainTextEdit(readOnly=True)
        self.transcript.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.transcript.setPlaceholderText("The SMTP conversation appears here.")
        self.transcript.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.transcript, 1)
        return box

    # Values --------------------------------------------------------------------------------
    def load(self) -> None:
        s = self._services.mail.settings()
        self.server.setText(s.server)
        self.security.setCurrentIndex(self.security.findData(s.security))
        self.port.setValue(s.port)
        (self.verify_file if s.verify == "ca-file" else self.verify_system).setChecked(True)
        self._on_verify_toggled(s.verify == "ca-file")
        self.ca_file.setText(s.ca_file)
        self.username.setText(s.username)
        self.password.clear()
        stored = self._services.mail.has_password() if s.username else False
        self.password.setPlaceholderText("(stored in the OS keyring)" if stored else "")
        self.timeout.setValue(s.timeout)
        self.from_address.setText(s.from_address)
        self.from_name.setText(s.from_name)
        self.portal_url.setText(s.portal_url)
        self.admin_addresses.setText(s.admin_addresses)
        self.send_to_users.setChecked(s.send_to_users)

    def values(self) -> EmailSettings:
        return dataclasses.replace(
            self._services.mail.settings(),
            server=self.server.text().strip(),
            port=self.port.value(),
            security=str(self.security.currentData()),
            verify="ca-file" if self.verify_file.isChecked() else "system",
            ca_file=self.ca_file.text().strip(),
            username=self.username.text().strip(),
            timeout=self.timeout.value(),
            from_address=self.from_address.text().strip(),
            from_name=self.from_name.text().strip(),
            portal_url=self.portal_url.text().strip(),
            admin_addresses=self.admin_addresses.text().strip(),
            send_to_users=self.send_to_users.isChecked(),
        )

    # Slots ---------------------------------------------------------------------------------
    def _on_security_changed(self, _index: int) -> None:
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[str(self.security.currentData())])

    def _on_verify_toggled(self, checked: bool) -> None:
        self.ca_file.setEnabled(checked)
        self.browse.setEnabled(checked)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA file", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_file.setText(path)

    def _on_apply_clicked(self) -> bool:
        password = self.password.text() or None
        if not self.username.text().strip():
            password = ""
        try:
            self._services.mail.save_settings(self.values(), password)
        except ValidationError as exc:
            messages.error(self, "Email settings not saved", exc)
            return False
        except ConsoleError as exc:
            messages.error(self, "Email settings not saved", exc)
            return False
        self.load()
        return True

    def _on_test_clicked(self) -> None:
        recipient = self.test_recipient.text().strip()
        if not recipient:
            self.test_result.setText("Type the address that should receive the test message.")
            self.test_recipient.setFocus()
            return
        settings, password = self.values(), self.password.text() or None
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Sending a test message to {recipient}...")
        self.transcript.clear()
        self.task = run_task(
            self,
            lambda _progress: self._services.mail.test(recipient, settings, password),
            title="Sending a test message",
            on_done=self._on_test_done,
            error_title="Test message not sent",
        )
        self.task.errored.connect(self._on_test_failed)
        self.task.done.connect(lambda: self.test_button.setEnabled(True))

    def _on_test_done(self, result: SmtpTestResult) -> None:
        self.transcript.setPlainText(result.transcript)
        if result.ok:
            self.test_result.setText("<b>Test message accepted by the server.</b>")
        else:
            error, hint = html.escape(result.error), html.escape(result.hint)
            self.test_result.setText(f"<b>{error}</b><br>{hint}")

    def _on_test_failed(self, _exc: object) -> None:
        self.test_result.setText("The test message was not sent.")

    def _on_outbox_clicked(self) -> None:
        from mfa_console.ui.dialogs.outbox import OutboxDialog

        OutboxDialog(self._services, self).exec()
