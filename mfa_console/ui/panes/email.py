"""The Email pane: tabs Email Settings and Email Content, as in the original console, and the
Save / Revert bar for the email server settings."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.forms.save_bar import SaveBar
from mfa_console.ui.panes.email_content_tab import EmailContentTab
from mfa_console.ui.panes.email_settings_tab import EmailSettingsTab
from mfa_console.ui.sizing import scrolled


class EmailPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_tab = EmailSettingsTab(services)
        self.content_tab = EmailContentTab(services)
        self.tabs = QTabWidget()
        self.tabs.addTab(scrolled(self.settings_tab), "Email Settings")
        self.tabs.addTab(self.content_tab, "Email Content")
        self.save_bar = SaveBar("Email", [self.settings_tab.form, self.content_tab])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Email</h2>"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_bar)
