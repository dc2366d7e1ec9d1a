"""Guided step: the email (SMTP) server, saved as the mail feature's settings group.

Importing this module fails with ImportError when the mail feature is absent; the wizard then
leaves the step out. The mail settings group's class and field names are found in ``_group`` and
``_FIELD_NAMES``: adapt those two when the mail feature's names differ.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from mfa_console.app import Services
from mfa_console.core.mail import settings as mail_settings
from mfa_console.ui.wizards.pages import GuidedPage

PASSWORD_KEY = "email.smtp-password"
SECURITY = {"starttls": "STARTTLS", "tls": "SSL/TLS", "none": "None (not recommended)"}
# Our name -> the names the mail settings group may use for it.
_FIELD_NAMES = {
    "server": ("server", "host", "smtp_server"),
    "port": ("port",),
    "security": ("security", "tls"),
    "username": ("username", "user"),
    "from_address": ("from_address", "sender", "from_addr"),
}


def _group() -> type[Any]:
    """The mail feature's SMTP settings group: the first dataclass with a SECTION and a server."""
    for value in vars(mail_settings).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            names = {f.name for f in dataclasses.fields(value)}
            if hasattr(value, "SECTION") and names & set(_FIELD_NAMES["server"]):
                return value
    raise ImportError("no SMTP settings group in mfa_console.core.mail.settings")


_GROUP = _group()


class EmailPage(GuidedPage):
    STEP = "Email server"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("Email Server")
        self.setSubTitle("The SMTP server that sends enrollment email to users (Email pane).")
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("smtp.example.com")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setMaximumWidth(100)
        self.security_combo = QComboBox()
        for key, label in SECURITY.items():
            self.security_combo.addItem(label, key)
        self.username_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("unchanged when empty")
        self.from_edit = QLineEdit()
        self.from_edit.setPlaceholderText("mfa@example.com")
        form = QFormLayout(self)
        form.addRow("SMTP &server:", self.server_edit)
        form.addRow("P&ort:", self.port_spin)
        form.addRow("S&ecurity:", self.security_combo)
        form.addRow("&Username:", self.username_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&From address:", self.from_edit)

    def load(self) -> None:
        value = self.services.settings.load(_GROUP)
        self.server_edit.setText(str(_get(value, "server", "")))
        self.port_spin.setValue(int(str(_get(value, "port", 587))))
        index = self.security_combo.findData(_get(value, "security", "starttls"))
        self.security_combo.setCurrentIndex(max(index, 0))
        self.username_edit.setText(str(_get(value, "username", "")))
        self.from_edit.setText(str(_get(value, "from_address", "")))

    def save(self) -> str:
        ours = {
            "server": self.server_edit.text().strip(),
            "port": self.port_spin.value(),
            "security": str(self.security_combo.currentData()),
            "username": self.username_edit.text().strip(),
            "from_address": self.from_edit.text().strip(),
        }
        current = self.services.settings.load(_GROUP)
        known = {f.name for f in dataclasses.fields(current)}
        changes = {}
        for name, value in ours.items():
            for theirs in _FIELD_NAMES[name]:
                if theirs in known:
                    changes[theirs] = value
                    break
        self.services.settings.save(dataclasses.replace(current, **changes))
        if self.password_edit.text():
            self.services.secrets.set(PASSWORD_KEY, self.password_edit.text())
            self.password_edit.clear()
        return f"{ours['server'] or '(no server)'} port {ours['port']}"


def _get(value: object, name: str, default: object) -> object:
    for theirs in _FIELD_NAMES[name]:
        if hasattr(value, theirs):
            return getattr(value, theirs)
    return default
