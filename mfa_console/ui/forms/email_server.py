"""The email server form: SMTP server, port, security, certificate check, login, timeout, sender,
User Portal URL, administrators and Send emails to users. The Email pane's Email Settings tab and
the guided setup's email step embed it (the step without the sender details it does not need)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

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
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.errors import ConsoleError
from mfa_console.core.mail.settings import (
    DEFAULT_PORTS,
    PLAINTEXT_WARNING,
    SECURITY,
    TIMEOUT_RANGE,
    EmailSettings,
)
from mfa_console.core.secrets import password_change
from mfa_console.ui.forms.base import SettingsForm, buddy

if TYPE_CHECKING:
    from mfa_console.core.mail.service import MailService


class EmailServerForm(SettingsForm):
    TITLE = "Email server"

    def __init__(
        self, mail: MailService, parent: QWidget | None = None, *, compact: bool = False
    ) -> None:
        super().__init__(parent)
        self.mail = mail
        self._has_password = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_server_group())
        self.sender_box = self._build_sender_group(compact)
        layout.addWidget(self.sender_box)
        self.watch(
            self.server, self.port, self.security, self.verify_file, self.ca_file, self.username,
            self.password, self.timeout, self.from_address, self.from_name, self.portal_url,
            self.admin_addresses, self.send_to_users, self.allow_plaintext,
        )  # fmt: skip

    # Building -------------------------------------------------------------------------------
    def _build_server_group(self) -> QGroupBox:
        box = QGroupBox("SMTP server")
        form = QFormLayout(box)
        self.server = QLineEdit(placeholderText="smtp.example.com")
        self.port = QSpinBox(minimum=1, maximum=65535)
        self.security = QComboBox()
        for key, label in SECURITY.items():
            self.security.addItem(label, key)
        self.security.currentIndexChanged.connect(self._on_security_changed)
        self.security.currentIndexChanged.connect(self._update_plaintext_warning)
        row = QHBoxLayout()
        row.addWidget(self.server, 1)
        row.addWidget(buddy("&Port:", self.port))
        row.addWidget(self.port)
        form.addRow(buddy("Ser&ver:", self.server), row)
        form.addRow(buddy("Sec&urity:", self.security), self.security)
        form.addRow(QLabel("Certificate:"), self._build_verify_row())
        self.username = QLineEdit(placeholderText="leave empty if the server needs no login")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow(buddy("Us&ername:", self.username), self.username)
        form.addRow(buddy("P&assword:", self.password), self.password)
        self.allow_plaintext = QCheckBox("Allow sending the password without en&cryption")
        self.plaintext_warning = QLabel(PLAINTEXT_WARNING, wordWrap=True)
        self.plaintext_warning.setStyleSheet("color: #a33;")
        form.addRow("", self.plaintext_warning)
        form.addRow("", self.allow_plaintext)
        self.username.textChanged.connect(self._update_plaintext_warning)
        low, high = TIMEOUT_RANGE
        self.timeout = QSpinBox(minimum=low, maximum=high, suffix=" s")
        self.timeout.setMaximumWidth(120)
        form.addRow(buddy("Ti&meout:", self.timeout), self.timeout)
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
        self.browse = QPushButton("Bro&wse...")
        self.browse.clicked.connect(self._on_browse_clicked)
        self.verify_file.toggled.connect(self._on_verify_toggled)
        row.addWidget(self.verify_system)
        row.addWidget(self.verify_file)
        row.addWidget(self.ca_file, 1)
        row.addWidget(self.browse)
        return widget

    def _build_sender_group(self, compact: bool) -> QGroupBox:
        box = QGroupBox("Sender" if compact else "Sender and recipients")
        form = QFormLayout(box)
        self.from_address = QLineEdit(placeholderText="mfa@example.com")
        self.from_name = QLineEdit(placeholderText="e.g. IT Help Desk")
        self.portal_url = QLineEdit(placeholderText="https://mfa.example.com/portal")
        self.admin_addresses = QLineEdit(placeholderText="admin@example.com, ops@example.com")
        self.admin_addresses.setToolTip(
            "Who gets the notice that a synchronization waits for approval"
        )
        self.send_to_users = QCheckBox("Se&nd emails to users")
        self.send_to_users.setToolTip("While this is off, no message is ever sent to a user.")
        form.addRow(buddy("F&rom address:", self.from_address), self.from_address)
        if not compact:  # the guided setup asks only for the sender's address
            form.addRow(buddy("From &display name:", self.from_name), self.from_name)
            form.addRow(buddy("User Portal UR&L:", self.portal_url), self.portal_url)
            form.addRow(buddy("Administrators:", self.admin_addresses), self.admin_addresses)
            form.addRow("", self.send_to_users)
        return box

    # SettingsForm ---------------------------------------------------------------------------
    def stored(self) -> EmailSettings:
        value = self.mail.settings()
        try:
            self._has_password = bool(value.username) and self.mail.has_password()
        except ConsoleError:
            self._has_password = False
        return value

    def show_value(self, value: EmailSettings) -> None:
        self.server.setText(value.server)
        self.security.setCurrentIndex(max(self.security.findData(value.security), 0))
        self.port.setValue(value.port)
        (self.verify_file if value.verify == "ca-file" else self.verify_system).setChecked(True)
        self._on_verify_toggled(value.verify == "ca-file")
        self.ca_file.setText(value.ca_file)
        self.username.setText(value.username)
        self.password.clear()
        self.password.setPlaceholderText(
            "stored in the OS keyring (type to replace)" if self._has_password else ""
        )
        self.timeout.setValue(value.timeout)
        self.from_address.setText(value.from_address)
        self.from_name.setText(value.from_name)
        self.portal_url.setText(value.portal_url)
        self.admin_addresses.setText(value.admin_addresses)
        self.send_to_users.setChecked(value.send_to_users)
        self.allow_plaintext.setChecked(value.allow_plaintext_password)
        self._update_plaintext_warning()

    def value(self) -> EmailSettings:
        base = self._stored if self._stored is not None else EmailSettings()
        return dataclasses.replace(
            base,
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
            allow_plaintext_password=self.allow_plaintext.isChecked(),
        )

    def password_typed(self) -> bool:
        return bool(self.password.text())

    def typed_password(self) -> str | None:
        """None keeps the stored password, a text replaces it, "" deletes it (no login)."""
        return password_change(self.password.text(), needed=bool(self.username.text().strip()))

    def store(self, value: EmailSettings) -> None:
        self.mail.save_settings(value, self.typed_password())

    def summary(self) -> str:
        value = self.value()
        return f"{value.server or '(no server)'} port {value.port}"

    # Slots ----------------------------------------------------------------------------------
    def _on_security_changed(self, _index: int) -> None:
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[str(self.security.currentData())])

    def _update_plaintext_warning(self) -> None:
        clear = str(self.security.currentData()) == "none" and bool(self.username.text().strip())
        self.plaintext_warning.setVisible(clear)
        self.allow_plaintext.setVisible(clear)

    def _on_verify_toggled(self, checked: bool) -> None:
        self.ca_file.setEnabled(checked)
        self.browse.setEnabled(checked)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA file", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_file.setText(path)
