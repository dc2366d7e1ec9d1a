"""Guided step: the email (SMTP) server, saved through the same settings group as the Email pane."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from mfa_console.app import Services
from mfa_console.core.mail.settings import DEFAULT_PORTS, PASSWORD_KEY, SECURITY, EmailSettings
from mfa_console.ui.wizards.pages import GuidedPage


class EmailPage(GuidedPage):
    STEP = "Email server"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("Email Server")
        self.setSubTitle(
            "The SMTP server that sends enrollment email to users. Test it, choose templates and "
            "turn on Send emails to users on the Email pane."
        )
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("smtp.example.com")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setMaximumWidth(100)
        self.security_combo = QComboBox()
        for key, label in SECURITY.items():
            self.security_combo.addItem(label, key)
        self.security_combo.currentIndexChanged.connect(self._on_security_changed)
        self.username_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("unchanged when empty")
        self.from_edit = QLineEdit()
        self.from_edit.setPlaceholderText("mfa@example.com")
        form = QFormLayout(self)
        form.addRow("SMTP &server:", self.server_edit)
        form.addRow("S&ecurity:", self.security_combo)
        form.addRow("P&ort:", self.port_spin)
        form.addRow("&Username:", self.username_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&From address:", self.from_edit)

    def load(self) -> None:
        value = self.services.settings.load(EmailSettings)
        self.server_edit.setText(value.server)
        self.security_combo.setCurrentIndex(max(self.security_combo.findData(value.security), 0))
        self.port_spin.setValue(value.port)
        self.username_edit.setText(value.username)
        self.from_edit.setText(value.from_address)

    def save(self) -> str:
        current = self.services.settings.load(EmailSettings)
        value = dataclasses.replace(
            current,
            server=self.server_edit.text().strip(),
            port=self.port_spin.value(),
            security=str(self.security_combo.currentData()),
            username=self.username_edit.text().strip(),
            from_address=self.from_edit.text().strip(),
        )
        self.services.settings.save(value)
        if self.password_edit.text():
            self.services.secrets.set(PASSWORD_KEY, self.password_edit.text())
            self.password_edit.clear()
        return f"{value.server or '(no server)'} port {value.port}"

    def _on_security_changed(self) -> None:
        security = str(self.security_combo.currentData())
        if self.port_spin.value() in DEFAULT_PORTS.values():
            self.port_spin.setValue(DEFAULT_PORTS[security])
