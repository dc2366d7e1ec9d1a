"""Guided step: the directory connection (Active Directory or LDAP), saved through the same
settings group as the Directory Integration pane."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.directory.settings import (
    BIND_TYPES,
    KINDS,
    PASSWORD_SECRET,
    SECURITY,
    DirectorySettings,
    base_dn_of,
)
from mfa_console.ui.choices import choice_combo, select_data
from mfa_console.ui.dialogs.directory_test import DirectoryTestDialog, start_test
from mfa_console.ui.tasks import Task
from mfa_console.ui.wizards.pages import GuidedPage

PASSWORD_KEY = PASSWORD_SECRET


class DirectoryPage(GuidedPage):
    STEP = "Directory connection"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("Directory Connection")
        self.setSubTitle("Where users are imported and synchronized from (Directory Integration).")
        self.kind_combo = choice_combo(KINDS)
        self.servers_edit = QLineEdit()
        self.servers_edit.setPlaceholderText("ldaps://dc1.example.com ldaps://dc2.example.com")
        self.domain_edit = QLineEdit()
        self.domain_edit.setPlaceholderText(
            "Active Directory without servers: corp.example.com (controllers found in DNS)"
        )
        self.security_combo = choice_combo(SECURITY)
        self.ca_edit = QLineEdit()
        self.ca_edit.setPlaceholderText("empty: the system's trusted certificates")
        self.bind_combo = choice_combo(BIND_TYPES)
        self.bind_dn_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("unchanged when empty")
        self.base_dn_edit = QLineEdit()
        self.base_dn_edit.setPlaceholderText("dc=example,dc=com")
        form = QFormLayout(self)
        form.addRow("Director&y:", self.kind_combo)
        form.addRow("&Servers:", self.servers_edit)
        form.addRow("Do&main:", self.domain_edit)
        form.addRow("S&ecurity:", self.security_combo)
        form.addRow("&CA file:", self.ca_edit)
        form.addRow("B&ind:", self.bind_combo)
        form.addRow("Bind &DN:", self.bind_dn_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("B&ase DN:", self.base_dn_edit)
        self.test_button = QPushButton("&Test")
        self.test_button.setToolTip("Check name, TCP, TLS, bind and a sample search, as typed")
        self.test_button.clicked.connect(self._on_test_clicked)
        self.test_dialog: DirectoryTestDialog | None = None
        self.task: Task | None = None
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        form.addRow("", row)

    def load(self) -> None:
        value = self.services.settings.load(DirectorySettings)
        select_data(self.kind_combo, value.kind)
        self.servers_edit.setText(" ".join(value.servers))
        self.domain_edit.setText(value.domain)
        select_data(self.security_combo, value.security)
        self.ca_edit.setText(value.ca_file)
        select_data(self.bind_combo, value.bind)
        self.bind_dn_edit.setText(value.bind_dn)
        self.base_dn_edit.setText(value.base_dn)

    def value(self) -> DirectorySettings:
        """The settings as typed on this page (not saved)."""
        servers = tuple(self.servers_edit.text().replace(",", " ").split())
        kind = str(self.kind_combo.currentData())
        current = self.services.settings.load(DirectorySettings)
        if kind != current.kind:  # the other kind's filters and attribute mapping
            current = dataclasses.replace(current, kind=kind)
            current = current.with_default_filters().with_default_attributes()
        domain = self.domain_edit.text().strip()
        base_dn = self.base_dn_edit.text().strip() or (base_dn_of(domain) if domain else "")
        return dataclasses.replace(
            current,
            servers=servers,
            domain=domain,
            security=str(self.security_combo.currentData()),
            ca_file=self.ca_edit.text().strip(),
            bind=str(self.bind_combo.currentData()),
            bind_dn=self.bind_dn_edit.text().strip(),
            base_dn=base_dn,
        )

    def save(self) -> str:
        value = self.value()
        self.services.settings.save(value)
        if self.password_edit.text():
            self.services.secrets.set(PASSWORD_KEY, self.password_edit.text())
            self.password_edit.clear()
        domain = value.domain
        where = " ".join(value.servers) or (f"controllers of {domain}" if domain else "(no server)")
        return f"{KINDS[value.kind]}: {where}"

    # --- Test ----------------------------------------------------------------------------
    def _on_test_clicked(self) -> None:
        password = self.password_edit.text() or None
        self.task = start_test(
            self, self.services.directory, self.value(), password, self.test_button, self._keep
        )

    def _keep(self, dialog: DirectoryTestDialog) -> None:
        self.test_dialog = dialog
