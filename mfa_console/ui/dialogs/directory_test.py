"""The directory **Test**: run it off the GUI thread (``start_test``), then one line per stage,
with a mark for its status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractButton,
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
from mfa_console.ui.tasks import Task, run_task

if TYPE_CHECKING:
    from mfa_console.core.directory.service import DirectoryService
    from mfa_console.core.directory.settings import DirectorySettings

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


def start_test(
    parent: QWidget,
    directory: DirectoryService,
    settings: DirectorySettings,
    password: str | None,
    button: QAbstractButton,
    shown: Callable[[DirectoryTestDialog], None],
    passed: Callable[[bool], None] | None = None,
) -> Task:
    """Test ``settings`` (``password`` None: the stored one) with ``button`` disabled meanwhile;
    the result dialog is passed to ``shown`` and opened; ``passed`` learns whether every stage
    passed (False also when the Test could not run)."""

    def work(progress: Any) -> ProbeReport:
        progress.report(0, None, "Testing the directory connection…")
        return directory.test(settings, password, lambda s: progress.report(0, None, s.line()))

    def done(report: ProbeReport) -> None:
        if passed is not None:
            passed(report.ok)
        dialog = DirectoryTestDialog(report, parent)
        shown(dialog)
        dialog.open()

    button.setEnabled(False)
    task = run_task(
        parent,
        work,
        title="Testing the directory connection",
        on_done=done,
        error_title="Directory Test",
    )
    task.done.connect(lambda: button.setEnabled(True))
    if passed is not None:
        task.errored.connect(lambda _exc: passed(False))
    return task
