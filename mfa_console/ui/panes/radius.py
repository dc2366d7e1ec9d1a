"""RADIUS Authentication pane: Enable, the Clients and Target tabs, the Save bar, and whether
the background service is listening (and where)."""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError
from mfa_console.ui.forms.radius_settings import RadiusSettingsForm
from mfa_console.ui.forms.save_bar import SaveBar

TITLE = "RADIUS Authentication"


class RadiusPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.form = RadiusSettingsForm(services.radius)
        self.clients_tab, self.target_tab = self.form.clients_tab, self.form.target_tab
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.clients_tab, "Cl&ients")
        self.tabs.addTab(self.target_tab, "Tar&get")
        self.save_bar = SaveBar(TITLE, [self.form])
        self.form.saved.connect(self.show_status)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h2>{TITLE}</h2>"))
        layout.addWidget(self.form)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_bar)
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.show_status)
        self.timer.start()
        self.reload()

    def reload(self) -> None:
        self.form.load()
        self.show_status()

    def show_status(self) -> None:
        """The same report as the Status pane and ``radius status``: listening or why not,
        the target, the last hour's counts, and warnings."""
        try:
            report = self.services.radius.report()
        except ConsoleError as exc:
            self.status.setText(f"Status unknown: {exc.message}")
            return
        lines = [html.escape(line) for line in report.lines()]
        if report.enabled and not report.listening:
            lines[0] = f"<b>{lines[0]}</b>"
        warnings = {html.escape(w) for w in report.warnings()}
        self.status.setText(
            "<br>".join(
                f"<span style='color:#a00'>Warning: {line}</span>" if line in warnings else line
                for line in lines
            )
        )
