"""Guided step: the directory connection (Active Directory or LDAP), the same form and Test as
Directory Integration > Settings."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mfa_console.app import Services
from mfa_console.ui.dialogs.directory_test import DirectoryTestDialog, start_test
from mfa_console.ui.forms.directory_connection import DirectoryConnectionForm
from mfa_console.ui.tasks import Task
from mfa_console.ui.wizards.pages import GuidedPage, scrolled_into


class DirectoryPage(GuidedPage):
    STEP = "Directory connection"
    HAS_TEST = True

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("Directory Connection")
        self.setSubTitle("Where users are imported and synchronized from (Directory Integration).")
        self.connection = DirectoryConnectionForm(services.directory, compact=True)
        self.use_form(self.connection)
        self.connection.test_requested.connect(self._on_test_clicked)
        self.test_button = self.connection.test_button
        self.test_dialog: DirectoryTestDialog | None = None
        self.task: Task | None = None
        scrolled_into(self, self.connection)

    def _on_test_clicked(self) -> None:
        form = self.connection
        self.task = start_test(
            self,
            self.services.directory,
            form.value(),
            form.typed_password(),
            self.test_button,
            self._keep,
            self.record_test,
        )

    def _keep(self, dialog: DirectoryTestDialog) -> None:
        self.test_dialog = dialog
