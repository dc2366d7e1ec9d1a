"""The Edit User dialog's OATH Token tab: the user's token, a new software secret, a hardware token.

A new software secret is shown once, as a QR code and as text; it becomes active at its first
valid code (the user's current token keeps working until then). Assigning a hardware token to a
user who has one asks first. Changes take effect at once (they are not part of the dialog's OK).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.auth.qr import qr_png
from mfa_console.core.auth.tokens import SoftwareSecret, TokenReplaceError
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import messages
from mfa_console.ui.tasks import run_task

STATES = {"pending": "waiting for its first code", "active": "active"}


class OathTokenTab(QWidget):
    def __init__(
        self,
        services: Services,
        username: str,
        on_changed: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.username, self._on_changed = services, username, on_changed
        self.current = QLabel()
        self.current.setObjectName("token-current")
        self.current.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setObjectName("token-qr")
        self.secret = QLineEdit()
        self.secret.setObjectName("token-secret")
        self.secret.setReadOnly(True)
        self.secret.setPlaceholderText("Generate a secret to show it here (shown once)")
        self.generate_button = QPushButton("Generate Soft&ware Token")
        self.generate_button.clicked.connect(self._on_generate_clicked)
        self.send_email = QCheckBox("Also send it in the enrollment email (&QR code)")
        self.send_email.setObjectName("token-send-email")
        self.serials = QComboBox()
        self.serials.setObjectName("token-serials")
        self.assign_button = QPushButton("&Assign")
        self.assign_button.clicked.connect(self._on_assign_clicked)
        self.unassign_button = QPushButton("&Unassign")
        self.unassign_button.clicked.connect(self._on_unassign_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(self._software_group())
        layout.addWidget(self._hardware_group())
        layout.addStretch(1)
        self.reload()

    def _software_group(self) -> QGroupBox:
        group = QGroupBox("Software token (authenticator app)")
        layout = QVBoxLayout(group)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.send_email)
        layout.addWidget(self.qr)
        layout.addWidget(self.secret)
        return group

    def _hardware_group(self) -> QGroupBox:
        group = QGroupBox("Hardware token")
        row = QHBoxLayout(group)
        row.addWidget(QLabel("Serial number:"))
        row.addWidget(self.serials, 1)
        row.addWidget(self.assign_button)
        row.addWidget(self.unassign_button)
        return group

    def reload(self) -> None:
        mine = self.services.auth.tokens_of_user(self.username)
        lines = [f"{t.serial} ({t.kind}, {STATES.get(t.state, t.state)})" for t in mine]
        self.current.setText("Token: " + ("; ".join(lines) if lines else "none"))
        self.serials.clear()
        stock = [
            t.serial for t in self.services.auth.tokens() if t.kind == "hardware" and not t.username
        ]
        self.serials.addItems(stock)
        self.assign_button.setEnabled(bool(stock))
        self.unassign_button.setEnabled(bool(mine))
        self._mine = mine

    def _after(self, fn: Callable[[], object], title: str) -> None:
        def done(result: object) -> None:
            self.reload()
            if isinstance(result, SoftwareSecret):
                self._show_secret(result)
            if self._on_changed is not None:
                self._on_changed()

        run_task(self, lambda _p: fn(), title=title, on_done=done, cancellable=False)

    def _show_secret(self, secret: SoftwareSecret) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(secret.uri, scale=4))
        self.qr.setPixmap(pixmap)
        self.secret.setText(secret.secret)
        self.secret.setToolTip(secret.uri)

    def _on_generate_clicked(self) -> None:
        if self._mine and not messages.confirm(
            self, "Generate Software Token",
            f"{self.username} has a token. Make a new secret? The current token keeps working "
            "until the new secret's first valid code.",
        ):  # fmt: skip
            return
        send = self.send_email.isChecked()
        auth, username = self.services.auth, self.username
        self._after(
            lambda: auth.generate_software(username, set_method=False, send_email=send),
            "Generating a secret",
        )

    def _on_assign_clicked(self) -> None:
        serial = self.serials.currentText()
        try:
            self.services.auth.assign(serial, self.username, set_method=False)
        except TokenReplaceError as exc:
            if not messages.confirm(
                self, "Assign Token", f"{exc.message} Replace it with {serial}?"
            ):
                return
            auth = self.services.auth
            self._after(
                lambda: auth.assign(serial, self.username, replace=True, set_method=False),
                "Assigning",
            )
            return
        except ConsoleError as exc:
            messages.error(self, "Assign Token", exc)
            return
        self._after(lambda: None, "Assigning")

    def _on_unassign_clicked(self) -> None:
        for token in self._mine:
            self.services.auth.unassign(token.serial)
        self._after(lambda: None, "Unassigning")
