"""Test User: check a user's password and one-time code as a login would, and show the outcome.

The password field is shown only while RADIUS has a primary target (LDAP bind or RADIUS
server(s)); it is then checked there exactly as the RADIUS server checks it, and a refused
password leaves the code unchecked (so unused). The check runs off the GUI thread and can be
cancelled until the code is checked. The attempt is written to the authentication log.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
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
from mfa_console.core.auth.primary import UserTest
from mfa_console.ui.tasks import Task, run_task

OK_COLOUR, FAILED_COLOUR = "green", "#b00020"


class TestUserDialog(QDialog):
    def __init__(self, services: Services, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.username = services, username
        self.last_result: UserTest | None = None
        self.task: Task | None = None
        self.setWindowTitle(f"Test User - {username}")
        target = services.auth.password_target()
        self.target_text = target.description if target is not None else ""
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("test-password")
        self.code = QLineEdit()
        self.code.setObjectName("test-code")
        self.code.setPlaceholderText("the code the token or app shows")
        self.code.setMaxLength(10)
        self.note = QLabel(_note(self.target_text))
        self.note.setObjectName("test-password-note")
        self.note.setWordWrap(True)
        self.outcome = QLabel(
            "Enter the password and the code, then Test."
            if target
            else "Enter the code, then Test."
        )
        self.outcome.setObjectName("test-outcome")
        self.outcome.setWordWrap(True)
        self.test_button = QPushButton("&Test")
        self.test_button.setDefault(True)
        self.test_button.clicked.connect(self._on_test_clicked)
        form = QFormLayout()
        name = QLabel(username)
        name.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("Username:", name)
        password_label = QLabel("&Password:")
        password_label.setBuddy(self.password)
        password_box = QVBoxLayout()
        password_box.addWidget(self.password)
        password_box.addWidget(self.note)
        form.addRow(password_label, password_box)
        form.addRow("&One-time code:", self.code)
        form.setRowVisible(password_box, target is not None)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())
        (self.password if target is not None else self.code).setFocus()

    def _on_test_clicked(self) -> None:
        self.test_button.setEnabled(False)
        self.outcome.setText("Testing...")
        password, code = self.password.text(), self.code.text()
        auth, username = self.services.auth, self.username
        self.task = task = run_task(
            self,
            lambda progress: auth.test_user(username, password, code, progress),
            title=f"Testing {username}",
            on_done=self._on_result,
            error_title="Test User",
            cancellable=True,  # stops before the password check, or before the code is used
        )
        task.errored.connect(self._on_error)
        task.cancelled.connect(self._on_cancelled)

    def _on_result(self, test: UserTest) -> None:
        self.last_result = test
        self.test_button.setEnabled(True)
        self.outcome.setText(outcome_html(test))
        self.code.clear()
        (
            self.password if test.password is not None and not test.password.ok else self.code
        ).setFocus()

    def _on_error(self, _exc: object) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText("<b>The test could not run.</b>")

    def _on_cancelled(self) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText("Test cancelled; the code was not checked.")


def _note(target: str) -> str:
    if not target:
        return ""
    return (
        f"<small>Checked with {html.escape(target)}, as at a RADIUS login. The code is checked "
        "only if the password is accepted.</small>"
    )


def outcome_html(test: UserTest) -> str:
    """The outcome in words: the verdict, the password's answer, the code's, the result code."""
    colour = OK_COLOUR if test.ok else FAILED_COLOUR
    verdict = "Test passed." if test.ok else "Test failed."
    lines = [f"<b style='color:{colour}'>{verdict}</b>"]
    if test.password is not None:
        if test.password.ok:
            lines.append("Password: accepted.")
        else:
            lines.append(f"Password: refused ({html.escape(test.password.reason)}).")
    if test.code_checked:
        lines.append(f"Code: {html.escape(test.result.text)}")
    else:
        lines.append("Code: not checked, so it can still be used.")
    lines.append(f"<small>Result code: {test.result.code}</small>")
    return "<br>".join(lines)
