"""The backup schedule form: back up the data file on a schedule, folder, interval, how many to
keep (File > Scheduled Backups...)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.backup import BackupScheduleSettings
from mfa_console.ui.forms.base import SettingsForm, buddy

if TYPE_CHECKING:
    from mfa_console.core.backup import BackupService


class BackupScheduleForm(SettingsForm):
    TITLE = "Scheduled backups"

    def __init__(self, backup: BackupService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backup = backup
        self.enabled = QCheckBox("&Back up the data file on a schedule")
        self.folder = QLineEdit()
        self.folder.setMinimumWidth(320)
        self.browse = QPushButton("B&rowse...")
        self.browse.clicked.connect(self._on_browse_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        self.interval = QSpinBox()
        self.interval.setRange(1, 24 * 31)
        self.interval.setSuffix(" hours")
        self.keep = QSpinBox()
        self.keep.setRange(1, 1000)
        form = QFormLayout()
        form.addRow(buddy("&Folder:", self.folder), folder_row)
        form.addRow(buddy("Back up &every:", self.interval), self.interval)
        form.addRow(buddy("&Keep the newest:", self.keep), self.keep)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        self.watch(self.enabled, self.folder, self.interval, self.keep)

    def stored(self) -> BackupScheduleSettings:
        return self.backup.schedule()

    def show_value(self, value: BackupScheduleSettings) -> None:
        self.enabled.setChecked(value.enabled)
        self.folder.setText(value.folder)
        self.interval.setValue(value.interval_hours)
        self.keep.setValue(value.keep)

    def value(self) -> BackupScheduleSettings:
        return BackupScheduleSettings(
            enabled=self.enabled.isChecked(),
            interval_hours=self.interval.value(),
            folder=self.folder.text().strip(),
            keep=self.keep.value(),
        )

    def store(self, value: BackupScheduleSettings) -> None:
        self.backup.save_schedule(value)

    def summary(self) -> str:
        value = self.value()
        return f"every {value.interval_hours} h into {value.folder}" if value.enabled else "off"

    def _on_browse_clicked(self) -> None:
        start = self.folder.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Folder for scheduled backups", start)
        if chosen:
            self.folder.setText(chosen)
