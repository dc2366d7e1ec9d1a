"""Guided step: the company settings (user defaults, languages, PIN rules), the same form as the
Company Settings pane."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mfa_console.app import Services
from mfa_console.ui.forms.company import CompanySettingsForm
from mfa_console.ui.wizards.pages import GuidedPage, scrolled_into


class UserDefaultsPage(GuidedPage):
    STEP = "User defaults"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("User Defaults")
        self.setSubTitle(
            "What new users get when they are added or imported (Company Settings > General)."
        )
        self.company = CompanySettingsForm(services.settings, compact=True)
        self.use_form(self.company)
        scrolled_into(self, self.company)
