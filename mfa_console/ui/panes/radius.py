"""RADIUS Authentication pane: Enable, the Clients and Target tabs, Save / Revert, and whether
the background service is listening (and where)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.radius.settings import RadiusSettings
from mfa_console.ui import messages
from mfa_console.ui.panes.radius_tabs import ClientsTab, TargetTab

TITLE = "RADIUS Authentication"


class RadiusPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.enabled = QCheckBox("Ena&ble RADIUS authentication")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.clients_tab = ClientsTab(services.radius.config)
        self.target_tab = TargetTab(services.radius.config)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.clients_tab, "Cl&ients")
        self.tabs.addTab(self.target_tab, "Tar&get")
        self.save_button = QPushButton("&Save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h2>{TITLE}</h2>"))
        layout.addWidget(self.enabled)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.show_status)
        self.timer.start()
        self.reload()

    def reload(self) -> None:
        settings = self.services.radius.settings()
        self.enabled.setChecked(settings.enabled)
        self.clients_tab.load(settings)
        self.target_tab.load(settings)
        self.show_status()

    def values(self) -> RadiusSettings:
        settings = self.services.radius.settings()
        changes: dict[str, object] = {"enabled": self.enabled.isChecked()}
        changes |= self.clients_tab.apply(settings)
        changes |= self.target_tab.apply(settings)
        return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]

    def save(self) -> bool:
        try:
            self.services.radius.save_settings(self.values())
        except ValidationError as exc:
            detail = "\n".join(f"{k}: {v}" for k, v in exc.problems.items())
            messages.warning(self, TITLE, "The settings were not saved.", detail)
            return False
        except ConsoleError as exc:
            messages.error(self, TITLE, exc)
            return False
        self.reload()
        return True

    def show_status(self) -> None:
        try:
            status = self.services.radius.status()
            exempt = [
                c.address for c in self.services.radius.config.clients()
                if not c.message_authenticator
            ]  # fmt: skip
        except ConsoleError as exc:
            self.status.setText(f"Status unknown: {exc.message}")
            return
        if not status.enabled:
            text = "RADIUS authentication is off."
        elif status.is_listening:
            text = "The background service is listening on " + ", ".join(status.listening) + "."
        elif status.alive and status.error:
            text = f"<b>Not listening:</b> {status.error}"
        else:
            text = (
                "<b>Not listening:</b> the background service (mfa-console service) is not "
                "running, or has not read these settings yet."
            )
        if exempt:
            text += (
                "<br><span style='color:#a00'>Warning: " + ", ".join(exempt) + " may send "
                "requests without Message-Authenticator (BlastRADIUS).</span>"
            )
        self.status.setText(text)
