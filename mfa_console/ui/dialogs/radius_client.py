"""RADIUS Authentication > Clients > Add / Edit: one client, saved on OK."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.radius.config import RadiusClient, RadiusConfig
from mfa_console.ui import messages

MA_WARNING = (
    "Without Message-Authenticator, an attacker on the network path can forge this client's "
    "replies (BlastRADIUS, CVE-2024-3596). Untick only for a client that cannot send it, and "
    "update it."
)


class RadiusClientDialog(QDialog):
    def __init__(
        self, config: RadiusConfig, client: RadiusClient | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.original = client
        self.setWindowTitle("Edit RADIUS Client" if client else "Add RADIUS Client")
        current = client or RadiusClient("")
        self.address = QLineEdit(current.address)
        self.address.setPlaceholderText("10.0.0.5 or 10.0.0.0/24")
        self.name = QLineEdit(current.name)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        if client is not None:
            self.secret.setPlaceholderText("(unchanged)")
        self.user_match = QCheckBox("Require Multi-Factor Authentication &user match")
        self.user_match.setChecked(current.require_user_match)
        self.fallback = QCheckBox("Enable &fallback OATH token")
        self.fallback.setChecked(current.fallback_oath)
        self.append = QCheckBox("The code is &appended to the password (no challenge)")
        self.append.setChecked(current.append_code)
        self.authenticator = QCheckBox("Require &Message-Authenticator")
        self.authenticator.setChecked(current.message_authenticator)
        self.warning = QLabel(MA_WARNING)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #a00;")
        self.authenticator.toggled.connect(lambda on: self.warning.setVisible(not on))
        self.warning.setVisible(not current.message_authenticator)
        form = QFormLayout()
        form.addRow("&IP address or subnet:", self.address)
        form.addRow("Application &name:", self.name)
        form.addRow("Shared &secret:", self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for widget in (self.user_match, self.fallback, self.append, self.authenticator):
            layout.addWidget(widget)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)

    def client(self) -> RadiusClient:
        return RadiusClient(
            self.address.text(),
            self.name.text(),
            require_user_match=self.user_match.isChecked(),
            fallback_oath=self.fallback.isChecked(),
            append_code=self.append.isChecked(),
            message_authenticator=self.authenticator.isChecked(),
        )

    def accept(self) -> None:
        secret = self.secret.text() or None
        replace = self.original.address if self.original else None
        try:
            self.config.save_client(self.client(), secret, replace=replace)
        except ValidationError as exc:
            detail = "\n".join(f"{k}: {v}" for k, v in exc.problems.items())
            messages.warning(self, self.windowTitle(), "The client was not saved.", detail)
            return
        except ConsoleError as exc:
            messages.error(self, self.windowTitle(), exc)
            return
        super().accept()
