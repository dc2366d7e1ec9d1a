"""The Company Settings pane: the General tab is the company settings form
(``forms/company.py``); Save / Revert at the bottom, as on every settings pane."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.forms.company import CompanySettingsForm
from mfa_console.ui.forms.save_bar import SaveBar
from mfa_console.ui.panes.company_auth_tab import CompanyAuthTab
from mfa_console.ui.panes.username_resolution_tab import UsernameResolutionTab
from mfa_console.ui.sizing import scrolled


class CompanySettingsPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = CompanySettingsForm(services.settings)
        self.form.set_inset(9)  # inside the tab's frame
        area = QScrollArea()
        area.setWidget(self.form)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        tabs = QTabWidget()
        tabs.addTab(area, "G&eneral")
        self.auth_tab = CompanyAuthTab(services)
        self.resolution_tab = UsernameResolutionTab(services)
        tabs.addTab(scrolled(self.auth_tab), "Loc&kout and Log")
        tabs.addTab(scrolled(self.resolution_tab), "Username &Resolution")
        self.save_bar = SaveBar("Company Settings", [self.form, self.auth_tab, self.resolution_tab])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Company Settings</h2>"))
        layout.addWidget(tabs, 1)
        layout.addWidget(self.save_bar)
        self.form.load()
