"""The Logs pane: the administration audit trail and the authentication log, one tab each."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.panes.auth_log_tab import AuthLogTab
from mfa_console.ui.panes.logs import LogsPane


class LogsTabsPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.audit = LogsPane(services)
        self.authentication = AuthLogTab(services)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.audit, "&Audit Trail")
        self.tabs.addTab(self.authentication, "Authe&ntication")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def show_tab(self, name: str) -> None:
        """Open a tab by name: "audit" or "authentication" (the window's ``pane/tab``)."""
        tab = getattr(self, name, None)
        if isinstance(tab, QWidget) and self.tabs.indexOf(tab) >= 0:
            self.tabs.setCurrentWidget(tab)
