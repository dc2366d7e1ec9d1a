"""File > Scheduled Backups...: turn scheduled backups on, choose folder, interval and how many."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.backup import BackupScheduleSettings
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import messages


class BackupScheduleDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Scheduled Backups")
        current = services.settings.load(BackupScheduleSettings)
        self.enabled = QCheckBox("&Back up the data file on a schedule")
        self.enabled.setChecked(current.enabled)
        self.folder = QLineEdit(current.folder)
        self.folder.setMinimumWidth(320)
        browse = QPushButton("B&rowse...")
        browse.clicked.connect(self._on_browse_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.interval = QSpinBox()
        self.interval.setRange(1, 24 * 31)
        self.interval.setSuffix(" hours")
        self.interval.setValue(current.interval_hours)
        self.keep = QSpinBox()
        self.keep.setRange(1, 1000)
        self.keep.setValue(current.keep)
        form = QFormLayout()
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        form.addRow("&Every:", self.interval)
        form.addRow("&Keep the newest:", self.keep)
        note = QLabel(
            "The background service (mfa-console service) makes the backups, also while the "
            "console is closed. Older scheduled backups beyond the number kept are deleted; "
            "backups you make with File > Back Up... are never deleted."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def value(self) -> BackupScheduleSettings:
        return BackupScheduleSettings(
            enabled=self.enabled.isChecked(),
            interval_hours=self.interval.value(),
            folder=self.folder.text().strip(),
            keep=self.keep.value(),
        )

    def accept(self) -> None:
        try:
            self.services.settings.save(self.value())
        except ConsoleError as exc:
            messages.error(self, "Scheduled Backups", exc)
            return
        super().accept()

    def _on_browse_clicked(self) -> None:
        start = self.folder.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Folder for scheduled backups", start)
        if chosen:
            self.folder.setText(chosen)
