"""Guided step: the user defaults of Company Settings (method, mode, country code, language)."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from mfa_console.app import Services
from mfa_console.core.company import CompanySettings
from mfa_console.core.users.methods import LANGUAGES, METHODS, MODES
from mfa_console.core.users.phones import country_codes
from mfa_console.ui.choices import choice_combo, fill_modes, select_data
from mfa_console.ui.wizards.pages import GuidedPage


class UserDefaultsPage(GuidedPage):
    STEP = "User defaults"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.setTitle("User Defaults")
        self.setSubTitle(
            "What new users get when they are added or imported (Company Settings > General)."
        )
        self.company_edit = QLineEdit()
        self.method_combo = choice_combo(METHODS)
        self.mode_combo = QComboBox()
        self.country_combo = QComboBox()
        for code, region in country_codes():
            self.country_combo.addItem(region, code)
        self.language_combo = choice_combo(LANGUAGES)
        self.method_combo.currentIndexChanged.connect(self._on_method_changed)
        note = QLabel("The language applies to phone calls, text messages, the app and tokens.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Compan&y name:", self.company_edit)
        form.addRow("Default &method:", self.method_combo)
        form.addRow("M&ode:", self.mode_combo)
        form.addRow("&Country code:", self.country_combo)
        form.addRow("&Language:", self.language_combo)
        form.addRow(note)

    def _on_method_changed(self) -> None:
        fill_modes(self.mode_combo, str(self.method_combo.currentData()))

    def load(self) -> None:
        value = self.services.settings.load(CompanySettings)
        self.company_edit.setText(value.company_name)
        select_data(self.method_combo, value.default_method)
        self._on_method_changed()
        select_data(self.mode_combo, value.default_mode)
        select_data(self.country_combo, value.default_country_code)
        select_data(self.language_combo, value.language_phone_call)

    def save(self) -> str:
        language = str(self.language_combo.currentData())
        value = dataclasses.replace(
            self.services.settings.load(CompanySettings),
            company_name=self.company_edit.text().strip(),
            default_method=str(self.method_combo.currentData()),
            default_mode=str(self.mode_combo.currentData()),
            default_country_code=int(self.country_combo.currentData()),
            language_phone_call=language,
            language_text_message=language,
            language_mobile_app=language,
            language_oath_token=language,
        )
        self.services.settings.save(value)
        return (
            f"{METHODS[value.default_method]} ({MODES[value.default_method][value.default_mode]}), "
            f"+{value.default_country_code}, {LANGUAGES[language]}"
        )
