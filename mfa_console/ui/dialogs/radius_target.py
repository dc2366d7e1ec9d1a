"""RADIUS Authentication > Target > Add / Edit RADIUS Server: saved on OK."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.radius.config import RadiusConfig, RadiusTarget
from mfa_console.ui import messages


def _port(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 65535)
    box.setValue(value)
    return box


class RadiusTargetDialog(QDialog):
    def __init__(
        self, config: RadiusConfig, target: RadiusTarget | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.original = target
        self.setWindowTitle("Edit RADIUS Server" if target else "Add RADIUS Server")
        current = target or RadiusTarget("")
        self.host = QLineEdit(current.host)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        if target is not None:
            self.secret.setPlaceholderText("(unchanged)")
        self.auth_port = _port(current.auth_port)
        self.acct_port = _port(current.acct_port)
        self.timeout = QSpinBox()
        self.timeout.setRange(1, 60)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(current.timeout)
        form = QFormLayout()
        form.addRow("&IP address or name:", self.host)
        form.addRow("Shared &secret:", self.secret)
        form.addRow("&Authentication port:", self.auth_port)
        form.addRow("A&ccounting port:", self.acct_port)
        form.addRow("&Timeout per try:", self.timeout)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def target(self) -> RadiusTarget:
        return RadiusTarget(
            self.host.text(), self.auth_port.value(), self.acct_port.value(), self.timeout.value()
        )

    def accept(self) -> None:
        secret = self.secret.text() or None
        try:
            if self.original is None:
                if secret is None:
                    raise ValidationError({"secret": "enter the server's shared secret"})
                self.config.add_target(self.target(), secret)
            else:
                self.config.edit_target(self.original.key, self.target(), secret)
        except ValidationError as exc:
            detail = "\n".join(f"{k}: {v}" for k, v in exc.problems.items())
            messages.warning(self, self.windowTitle(), "The server was not saved.", detail)
            return
        except ConsoleError as exc:
            messages.error(self, self.windowTitle(), exc)
            return
        super().accept()
