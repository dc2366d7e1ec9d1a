"""The synchronization schedule form: Enable synchronization, the interval, removals, full passes
and the approval threshold (Directory Integration > Synchronization)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from mfa_console.core.sync.settings import THRESHOLD_RANGE, SyncSettings
from mfa_console.ui.forms.base import SettingsForm, buddy

if TYPE_CHECKING:
    from mfa_console.core.sync.service import SyncService


class SyncScheduleForm(SettingsForm):
    TITLE = "Synchronization schedule"

    def __init__(self, sync: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.enabled = QCheckBox("Enable s&ynchronization")
        self.interval = QSpinBox()
        self.interval_unit = QComboBox()
        self.interval_unit.addItem("minutes", 1)
        self.interval_unit.addItem("hours", 60)
        self.interval_unit.currentIndexChanged.connect(self._on_unit_changed)
        self.remove_missing = QCheckBox("&Remove users no longer in the directory")
        self.always_full = QCheckBox("A&lways perform a full synchronization")
        self.threshold = QSpinBox()
        self.threshold.setRange(*THRESHOLD_RANGE)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.enabled, 0, 0)
        every = QHBoxLayout()
        every.addWidget(buddy("Synchroni&ze every:", self.interval))
        every.addWidget(self.interval)
        every.addWidget(self.interval_unit)
        every.addStretch(1)
        grid.addLayout(every, 0, 1)
        grid.addWidget(self.remove_missing, 1, 0)
        grid.addWidget(self.always_full, 1, 1)
        approval = QHBoxLayout()
        approval.addWidget(buddy("Require administrator appr&oval when more than", self.threshold))
        approval.addWidget(self.threshold)
        approval.addWidget(QLabel("users will be disabled or removed"))
        approval.addStretch(1)
        grid.addLayout(approval, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.watch(
            self.enabled, self.interval, self.interval_unit, self.remove_missing,
            self.always_full, self.threshold,
        )  # fmt: skip

    def stored(self) -> SyncSettings:
        return self.sync.settings()

    def show_value(self, value: SyncSettings) -> None:
        self.enabled.setChecked(value.enabled)
        hours = value.interval_minutes % 60 == 0
        self.interval_unit.setCurrentIndex(1 if hours else 0)
        self._on_unit_changed()
        self.interval.setValue(value.interval_minutes // 60 if hours else value.interval_minutes)
        self.remove_missing.setChecked(value.remove_missing)
        self.always_full.setChecked(value.always_full)
        self.threshold.setValue(value.approval_threshold)

    def value(self) -> SyncSettings:
        return SyncSettings(
            enabled=self.enabled.isChecked(),
            interval_minutes=self.interval.value() * int(self.interval_unit.currentData()),
            remove_missing=self.remove_missing.isChecked(),
            always_full=self.always_full.isChecked(),
            approval_threshold=self.threshold.value(),
        )

    def store(self, value: SyncSettings) -> None:
        self.sync.save_settings(value)

    def summary(self) -> str:
        value = self.value()
        return f"every {value.interval_minutes} min" if value.enabled else "not enabled"

    def _on_unit_changed(self) -> None:
        hours = self.interval_unit.currentData() == 60
        self.interval.setRange(1, 24 if hours else 1440)
