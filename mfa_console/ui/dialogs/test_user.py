"""Test User: check a user's one-time code as a login would, and show the result code.

The password field is there as in the original; it is not checked until a primary target
(directory bind or upstream RADIUS) exists. The attempt is written to the authentication log.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.auth.results import VerifyResult
from mfa_console.ui.tasks import run_task

PASSWORD_NOTE = "Not checked yet: no primary target is configured."


class TestUserDialog(QDialog):
    def __init__(self, services: Services, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.username = services, username
        self.last_result: VerifyResult | None = None
        self.setWindowTitle(f"Test User - {username}")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("test-password")
        self.code = QLineEdit()
        self.code.setObjectName("test-code")
        self.code.setPlaceholderText("the code the token or app shows")
        self.code.setMaxLength(10)
        self.outcome = QLabel("Enter the code, then Test.")
        self.outcome.setObjectName("test-outcome")
        self.outcome.setWordWrap(True)
        self.test_button = QPushButton("&Test")
        self.test_button.setDefault(True)
        self.test_button.clicked.connect(self._on_test_clicked)
        form = QFormLayout()
        form.addRow("Username:", QLabel(username))
        form.addRow("&Password:", self.password)
        self.password.setToolTip(PASSWORD_NOTE)
        form.addRow("", QLabel(f"<small>{PASSWORD_NOTE}</small>"))
        form.addRow("&One-time code:", self.code)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def _on_test_clicked(self) -> None:
        self.test_button.setEnabled(False)
        self.outcome.setText("Testing...")
        password, code = self.password.text(), self.code.text()
        run_task(
            self,
            lambda _progress: self.services.auth.test_user(self.username, password, code),
            title="Testing the user",
            on_done=self._on_result,
            on_error=self._on_error,
            cancellable=False,
        )

    def _on_result(self, result: VerifyResult) -> None:
        self.last_result = result
        self.test_button.setEnabled(True)
        colour = "green" if result.ok else "#b00020"
        self.outcome.setText(f"<b style='color:{colour}'>{result.code}</b><br>{result.text}")
        self.code.clear()
        self.code.setFocus()

    def _on_error(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText(f"<b>The test could not run:</b> {exc}")
