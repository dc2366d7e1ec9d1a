"""File > Scheduled Backups...: the backup schedule form (``forms/backup_schedule.py``) in a
dialog; OK saves it, as a dialog's OK does."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.core.backup import BackupScheduleSettings
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.ui import messages
from mfa_console.ui.forms.backup_schedule import BackupScheduleForm
from mfa_console.ui.forms.base import problem_lines


class BackupScheduleDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Scheduled Backups")
        self.form = BackupScheduleForm(services.backup)
        self.form.load()
        note = QLabel(
            "The background service makes the backups, also while the console is closed. Older "
            "scheduled backups beyond the number kept are deleted; backups you make with "
            "File > Back Up... are never deleted."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        # the fields the tests and callers used before the form existed
        self.enabled, self.folder = self.form.enabled, self.form.folder
        self.interval, self.keep = self.form.interval, self.form.keep

    def value(self) -> BackupScheduleSettings:
        return self.form.value()

    def accept(self) -> None:
        try:
            self.form.save()
        except ValidationError as exc:
            messages.warning(self, "Scheduled Backups", "Not saved", problem_lines(exc))
            return
        except ConsoleError as exc:
            messages.error(self, "Scheduled Backups", exc)
            return
        super().accept()
