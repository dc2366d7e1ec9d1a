"""The activation service form: its HTTPS URL and the CA file of its certificate (the Activation
pane's Activation service box)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from mfa_console.core.activation.settings import ActivationServiceSettings
from mfa_console.ui.forms.base import SettingsForm, buddy

if TYPE_CHECKING:
    from mfa_console.core.activation.service import ActivationService


class ActivationServiceForm(SettingsForm):
    TITLE = "Activation service"

    def __init__(self, activation: ActivationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activation = activation
        self.url_edit = QLineEdit(placeholderText="https://activation.example.com:8443")
        self.url_edit.setObjectName("service-url")
        self.ca_edit = QLineEdit(placeholderText="empty: the system's trusted certificates")
        self.ca_edit.setObjectName("ca-file")
        self.browse = QPushButton("&Browse...")
        self.browse.clicked.connect(self._on_browse_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.browse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(buddy("&URL:", self.url_edit), self.url_edit)
        form.addRow(buddy("CA fi&le:", self.ca_edit), ca_row)
        self.watch(self.url_edit, self.ca_edit)

    def stored(self) -> ActivationServiceSettings:
        return self.activation.service_settings()

    def show_value(self, value: ActivationServiceSettings) -> None:
        self.url_edit.setText(value.url)
        self.ca_edit.setText(value.ca_file)

    def value(self) -> ActivationServiceSettings:
        return ActivationServiceSettings(self.url_edit.text().strip(), self.ca_edit.text().strip())

    def store(self, value: ActivationServiceSettings) -> None:
        self.activation.save_service_settings(value)

    def summary(self) -> str:
        return self.value().url or "(no service URL)"

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA certificate file", self.ca_edit.text(), "Certificates (*.pem *.crt *.cer)"
        )
        if path:
            self.ca_edit.setText(path)
