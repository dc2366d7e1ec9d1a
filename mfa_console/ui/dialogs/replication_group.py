"""After the credentials check: create a new replication group (master) or join one (subordinate).

The original asked this right after Activate; the group cannot be changed later without
deactivating and activating again.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.activation.client import CredentialCheck
from mfa_console.ui import messages


class ReplicationGroupDialog(QDialog):
    def __init__(
        self, check: CredentialCheck, server_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replication Group")
        self.new_radio = QRadioButton("&Create a new replication group (this server is the master)")
        self.join_radio = QRadioButton("&Join an existing group (this server is a subordinate)")
        choice = QButtonGroup(self)
        choice.addButton(self.new_radio)
        choice.addButton(self.join_radio)
        self.group_combo = QComboBox()
        self.group_combo.setEditable(True)
        self.group_combo.setToolTip("Pick a group of the account, or type a group id")
        for group in check.groups:
            master = f", master: {group.master}" if group.master else ""
            self.group_combo.addItem(f"{group.name} ({group.id}{master})", group.id)
        self.server_edit = QLineEdit(server_name)
        self.server_edit.setObjectName("server-name")
        (self.join_radio if check.groups else self.new_radio).setChecked(True)
        self.join_radio.toggled.connect(self.group_combo.setEnabled)
        self.group_combo.setEnabled(self.join_radio.isChecked())
        self._build(check.account)

    def _build(self, account: str) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"The credentials are valid for account <b>{account}</b>."))
        layout.addWidget(self.new_radio)
        layout.addWidget(self.join_radio)
        form = QFormLayout()
        form.addRow("&Group:", self.group_combo)
        form.addRow("&Server name:", self.server_edit)
        layout.addLayout(form)
        note = QLabel(
            "The group cannot be changed after activation: to change it, deactivate this "
            "server and activate it again."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Activate")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.join_radio.isChecked() and not self.join_group():
            messages.warning(
                self, "Replication Group", "Pick or type the group to join, or create a new group."
            )
            return
        if not self.server_name():
            messages.warning(self, "Replication Group", "Enter this server's name.")
            return
        super().accept()

    def join_group(self) -> str | None:
        """The group id (or typed id/name) to join, or None to create a new group."""
        if self.new_radio.isChecked():
            return None
        index = self.group_combo.currentIndex()
        text = self.group_combo.currentText().strip()
        if index >= 0 and text == self.group_combo.itemText(index):
            return str(self.group_combo.itemData(index))
        return text or None

    def server_name(self) -> str:
        return self.server_edit.text().strip()
