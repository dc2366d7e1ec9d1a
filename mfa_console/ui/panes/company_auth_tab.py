"""Company Settings' Lockout and Log tab: account lockout, the OATH window, the log's fields.

The lockout names are the original's. A form on the Company Settings pane's Save bar.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.auth.settings import RANGES, AuthSettings
from mfa_console.ui.forms.base import SettingsForm

LABELS = {
    "lockout_denials": "Number of MFA &denials that trigger lockout:",
    "lockout_counter_reset_minutes": "Minutes until &counter reset:",
    "lockout_unblock_minutes": "Minutes until &unblocked:",
    "oath_window_steps": "OATH codes accepted either side (&window):",
    "log_retention_days": "Keep the authentication log (da&ys):",
}
HINTS = {
    "lockout_denials": "0 switches lockout off. Wrong, repeated and old codes count.",
    "lockout_unblock_minutes": "0: only an administrator's Unblock ends a lockout.",
    "oath_window_steps": "Steps of the token's period (1 = one 30 s step either side).",
    "log_retention_days": "0 keeps every entry; older ones are purged in batches.",
}


class CompanyAuthTab(SettingsForm):
    """Lockout, OATH window and authentication log settings: a form on the pane's Save bar."""

    TITLE = "Lockout and Log"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.spins: dict[str, QSpinBox] = {}
        for name, (low, high) in RANGES.items():
            spin = QSpinBox()
            spin.setRange(low, high)
            spin.setObjectName(f"auth-{name}")
            spin.setToolTip(HINTS.get(name, ""))
            self.spins[name] = spin
        self.log_names = QCheckBox("Record first and last &names in the authentication log")
        self.log_email = QCheckBox("Record e&mail addresses in the authentication log")
        layout = QVBoxLayout(self)
        layout.addWidget(self._group("Account lockout", list(RANGES)[:3]))
        layout.addWidget(self._group("OATH token", ["oath_window_steps"]))
        log_group = self._group("Authentication log", ["log_retention_days"])
        log_group.layout().addWidget(self.log_names)  # type: ignore[union-attr]
        log_group.layout().addWidget(self.log_email)  # type: ignore[union-attr]
        layout.addWidget(log_group)
        layout.addStretch(1)
        self.watch(*self.spins.values(), self.log_names, self.log_email)
        self.load()

    def _group(self, title: str, names: list[str]) -> QGroupBox:
        group = QGroupBox(title)
        outer = QVBoxLayout(group)
        form = QFormLayout()
        for name in names:
            label = QLabel(LABELS[name])
            label.setBuddy(self.spins[name])
            form.addRow(label, self.spins[name])
        outer.addLayout(form)
        return group

    def value(self) -> AuthSettings:
        numbers = {name: spin.value() for name, spin in self.spins.items()}
        return AuthSettings(**numbers, log_names=self.log_names.isChecked(),
                            log_email=self.log_email.isChecked())  # fmt: skip

    def stored(self) -> AuthSettings:
        return self.services.settings.load(AuthSettings)

    def show_value(self, value: AuthSettings) -> None:
        for name, number in dataclasses.asdict(value).items():
            if name in self.spins:
                self.spins[name].setValue(int(number))
        self.log_names.setChecked(value.log_names)
        self.log_email.setChecked(value.log_email)

    def store(self, value: AuthSettings) -> None:
        self.services.settings.save(value)
