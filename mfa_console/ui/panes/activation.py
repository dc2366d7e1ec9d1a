"""The Activation pane: Email + Password + Activate, the replication group choice, the result.

Network work runs off the GUI thread (``run_task``). The console works unactivated; this pane says
where the one-time credentials come from and keeps the activation service's URL and CA file.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.activation import errors as e
from mfa_console.core.activation.client import CredentialCheck
from mfa_console.core.activation.protocol import ROLES
from mfa_console.core.activation.service import ActivationStatus, default_server_name
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import messages
from mfa_console.ui.dialogs.replication_group import ReplicationGroupDialog
from mfa_console.ui.forms.activation_service import ActivationServiceForm
from mfa_console.ui.forms.save_bar import SaveBar
from mfa_console.ui.tasks import Task, run_task

EXPLANATION = (
    "Activate this server with one-time activation credentials: an Email and a Password that "
    "whoever runs your activation service generates for you (its <i>Generate Activation "
    "Credentials</i> step, on the activation service's host). They work once, within 10 "
    "minutes. The console works without activation; you can activate now or later."
)
_FACTS = ("Account", "Replication group", "Role", "Server name", "Activated at", "Service")


class ActivationPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._activation = services.activation
        self._task: Task | None = None
        self._dialog: ReplicationGroupDialog | None = None
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._stack = QStackedWidget()
        self._credentials_box = self._build_credentials()
        self._facts_box = self._build_facts()
        self._stack.addWidget(self._credentials_box)
        self._stack.addWidget(self._facts_box)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Activation</h2>"))
        layout.addWidget(self.explanation)
        layout.addWidget(self._stack)
        layout.addWidget(self._build_service())
        layout.addStretch(1)
        self.save_bar = SaveBar("Activation", [self.service_form])
        layout.addWidget(self.save_bar)
        self.refresh()

    # Building ------------------------------------------------------------------------------
    def _build_credentials(self) -> QGroupBox:
        box = QGroupBox("Activation credentials")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("email")
        self.email_edit.setPlaceholderText("admin@example.com")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.activate_button = QPushButton("&Activate")
        self.activate_button.clicked.connect(self._on_activate_clicked)
        self.password_edit.returnPressed.connect(self.activate_button.click)
        self.unactivated_label = QLabel("This server is <b>not activated</b>.")
        form = QFormLayout(box)
        form.addRow(self.unactivated_label)
        form.addRow("&Email:", self.email_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", _right(self.activate_button))
        return box

    def _build_facts(self) -> QGroupBox:
        box = QGroupBox("This server is activated")
        form = QFormLayout(box)
        self.fact_labels: dict[str, QLabel] = {}
        for name in _FACTS:
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[name] = label
            form.addRow(f"{name}:", label)
        self.deactivate_button = QPushButton("&Deactivate...")
        self.deactivate_button.clicked.connect(self._on_deactivate_clicked)
        form.addRow("", _right(self.deactivate_button))
        return box

    def _build_service(self) -> QGroupBox:
        box = QGroupBox("Activation service")
        self.service_form = ActivationServiceForm(self._activation)
        self.url_edit, self.ca_edit = self.service_form.url_edit, self.service_form.ca_edit
        QVBoxLayout(box).addWidget(self.service_form)
        return box

    # State ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        status = self._activation.status()
        self.service_form.load()
        self._show_status(status)

    def _show_status(self, status: ActivationStatus) -> None:
        self._stack.setCurrentIndex(1 if status.activated else 0)
        for page in (self._credentials_box, self._facts_box):  # size the stack to the page shown
            shown = page is self._stack.currentWidget()
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self._stack.adjustSize()
        when = status.activated_at.strftime("%Y-%m-%d %H:%M UTC") if status.activated_at else ""
        values = (
            status.account,
            f"{status.group_name} ({status.group_id})",
            ROLES.get(status.role, status.role),
            status.server_name,
            when,
            status.service_url,
        )
        for name, value in zip(_FACTS, values, strict=True):
            self.fact_labels[name].setText(value)

    def focus_email(self) -> None:
        """Put the cursor in the Email box (the first run ends here)."""
        self.email_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _busy(self, busy: bool) -> None:
        for button in (self.activate_button, self.deactivate_button):
            button.setEnabled(not busy)

    # Activate ------------------------------------------------------------------------------
    def _on_activate_clicked(self) -> None:
        if not self._save_service():
            return
        email, password = self.email_edit.text(), self.password_edit.text()
        self._busy(True)
        self._task = run_task(
            self,
            lambda progress: self._activation.check_credentials(email, password, progress),
            title="Checking the activation credentials…",
            on_done=self._on_credentials_checked,
            error_title="Activation failed",
        )
        self._task.errored.connect(self._on_failed)

    def _on_credentials_checked(self, check: CredentialCheck) -> None:
        self._dialog = ReplicationGroupDialog(check, default_server_name(), self)
        self._dialog.accepted.connect(self._on_group_chosen)
        self._dialog.rejected.connect(lambda: self._busy(False))
        self._dialog.open()

    def _on_group_chosen(self) -> None:
        assert self._dialog is not None
        join, name = self._dialog.join_group(), self._dialog.server_name()
        email, password = self.email_edit.text(), self.password_edit.text()
        self._task = run_task(
            self,
            lambda progress: self._activation.activate(
                email, password, join_group=join, server_name=name, progress=progress
            ),
            title="Activating…",
            on_done=self._on_activated,
            error_title="Activation failed",
        )
        self._task.errored.connect(self._on_failed)

    def _on_activated(self, status: ActivationStatus) -> None:
        self._busy(False)
        self.password_edit.clear()
        self._show_status(status)
        messages.info(
            self,
            "Activation",
            f"This server is activated: account {status.account}, "
            f"{ROLES.get(status.role, status.role).lower()} of {status.group_name}.",
        )

    def _on_failed(self, _exc: object) -> None:
        self._busy(False)

    # Deactivate ----------------------------------------------------------------------------
    def _on_deactivate_clicked(self) -> None:
        if not messages.confirm(
            self,
            "Deactivate",
            "Deactivate this server?",
            "It leaves its replication group; activating it again needs new credentials.",
        ):
            return
        self._deactivate(local_only=False)

    def _deactivate(self, *, local_only: bool) -> None:
        self._busy(True)
        self._task = run_task(
            self,
            lambda progress: self._activation.deactivate(local_only=local_only, progress=progress),
            title="Deactivating…",
            on_done=lambda _result: self._on_deactivated(),
            error_title="Deactivate",
            recover=None if local_only else self._offer_local_deactivation,
        )
        self._task.errored.connect(self._on_failed)

    def _on_deactivated(self) -> None:
        self._busy(False)
        self.refresh()
        messages.info(self, "Deactivate", "This server is deactivated. The console keeps working.")

    def _offer_local_deactivation(self, exc: ConsoleError) -> bool:
        """The service cannot be reached: offer to forget the activation here only."""
        if not isinstance(exc, e.ServiceUnreachableError | e.CertificateNotTrustedError):
            return False
        question = f"{exc.message}\n\nForget the activation on this server only?"
        if messages.confirm(self, "Deactivate", question, exc.hint):
            self._deactivate(local_only=True)
        return True

    # Service settings ----------------------------------------------------------------------
    def _save_service(self) -> bool:
        """Activate uses what is typed: save a changed service first (the Save bar's path)."""
        return not self.service_form.is_modified() or self.save_bar.save()


def _right(button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    layout.addWidget(button)
    return row
