"""The result of the directory **Test**: one line per stage, with a mark for its status."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.directory.probe import FAILED, OK, SKIPPED, ProbeReport

_ICONS = {
    OK: QStyle.StandardPixmap.SP_DialogApplyButton,
    FAILED: QStyle.StandardPixmap.SP_MessageBoxCritical,
    SKIPPED: QStyle.StandardPixmap.SP_MediaSkipForward,
}


class DirectoryTestDialog(QDialog):
    def __init__(self, report: ProbeReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Directory Test")
        self.resize(760, 360)
        verdict = (
            "All stages passed."
            if report.ok
            else "A stage failed: read its line for what to change, then test again."
        )
        self.verdict = QLabel(f"<b>{verdict}</b>")
        self.stages = QListWidget()
        self.stages.setWordWrap(True)
        self.stages.setAlternatingRowColors(True)
        for stage in report.stages:
            icon = _ICONS.get(stage.status, QStyle.StandardPixmap.SP_MessageBoxWarning)
            item = QListWidgetItem(self.style().standardIcon(icon), f"{stage.name}: {stage.detail}")
            item.setToolTip(stage.line())
            self.stages.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.stages, 1)
        layout.addWidget(buttons)
