"""The RADIUS settings form: Enable, the ports (Clients tab) and the target (Target tab).

The client and upstream-server lists beside them are edited in their own dialogs and saved when
those dialogs' OK is pressed, as in the original; this form covers what the Save bar saves.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from mfa_console.core.radius.settings import RadiusSettings
from mfa_console.ui.forms.base import SettingsForm
from mfa_console.ui.panes.radius_tabs import ClientsTab, TargetTab

if TYPE_CHECKING:
    from mfa_console.core.radius.service import RadiusService


class RadiusSettingsForm(SettingsForm):
    TITLE = "RADIUS Authentication"

    def __init__(self, radius: RadiusService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.radius = radius
        self.enabled = QCheckBox("Ena&ble RADIUS authentication")
        self.clients_tab = ClientsTab(radius.config)
        self.target_tab = TargetTab(radius.config)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        self.watch(
            self.enabled, self.clients_tab.auth_port, self.clients_tab.acct_port,
            *self.target_tab.radios.values(),
        )  # fmt: skip

    def stored(self) -> RadiusSettings:
        return self.radius.settings()

    def show_value(self, value: RadiusSettings) -> None:
        self.enabled.setChecked(value.enabled)
        self.clients_tab.load(value)
        self.target_tab.load(value)

    def value(self) -> RadiusSettings:
        base = self._stored if self._stored is not None else self.radius.settings()
        changes: dict[str, object] = {"enabled": self.enabled.isChecked()}
        changes |= self.clients_tab.apply(base)
        changes |= self.target_tab.apply(base)
        return dataclasses.replace(base, **changes)

    def store(self, value: RadiusSettings) -> None:
        self.radius.save_settings(value)
