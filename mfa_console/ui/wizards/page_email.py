"""Guided step: the email (SMTP) server, the same form and Test as the Email pane."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.forms.email_server import EmailServerForm
from mfa_console.ui.forms.email_test import EmailTestBox
from mfa_console.ui.wizards.pages import GuidedPage, scrolled_into


class EmailPage(GuidedPage):
    STEP = "Email server"
    HAS_TEST = True

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("Email Server")
        # One line, as on every step: a taller header would make the wizard grow.
        self.setSubTitle(
            "The SMTP server that sends enrollment email to users (templates: the Email pane)."
        )
        self.server_form = EmailServerForm(services.mail, compact=True)
        self.use_form(self.server_form)
        self.test_box = EmailTestBox(self.server_form, transcript=False)
        self.test_box.tested.connect(self.record_test)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.server_form)
        layout.addWidget(self.test_box)
        layout.addStretch(1)
        scrolled_into(self, content)
