"""The installer wizard's pages: Welcome, License Agreement, Select Installation Folder,
Installing and Finish. The install work itself is ``installer.core``; pages only ask and show."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from installer import PRODUCT, core, requirements
from installer.manifest import read_manifest
from mfa_console import __version__
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import messages
from mfa_console.ui.tasks import Task

if TYPE_CHECKING:
    from installer.wizard import SetupWizard

CHECK_DELAY_MS = 250


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def licence_text() -> str:
    """The licence shipped beside the setup (frozen) or at the repository root (from source)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    try:
        return (base / "LICENSE").read_text(encoding="utf-8")
    except OSError:
        return "MIT License (the LICENSE file is missing from this setup)."


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(f"Welcome to the {PRODUCT} {__version__} Setup")
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                f"This wizard installs {PRODUCT}, the administration console for the users "
                "enrolled in two-step verification.\n\n"
                "It needs a 64-bit system, 1 GB of memory and 200 MB of free disk space. "
                "Installing over an earlier version upgrades it and keeps your data file.\n\n"
                "Click Next to continue, or Cancel to leave without installing anything."
            )
        )
        layout.addStretch()


class LicensePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("License Agreement")
        self.setSubTitle(f"Please read the license terms before installing {PRODUCT}.")
        self.text = text = QPlainTextEdit(licence_text())
        text.setReadOnly(True)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.agree = QRadioButton("I &Agree")
        self.disagree = QRadioButton("I &Do Not Agree")
        self.disagree.setChecked(True)
        self.agree.toggled.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(_label("If you accept the terms of the agreement, click I Agree."))
        layout.addWidget(self.agree)
        layout.addWidget(self.disagree)

    def isComplete(self) -> bool:
        return self.agree.isChecked()


class FolderPage(QWizardPage):
    """Select Installation Folder, with each requirement checked and explained as it changes."""

    def __init__(self, wizard: SetupWizard, target: Path) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Select Installation Folder")
        self.setSubTitle(f"Setup installs {PRODUCT} in this folder.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Install")
        self.folder = QLineEdit(str(target))
        self.folder.setAccessibleName("Installation folder")
        browse = QPushButton("B&rowse...")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.upgrade_note = _label("")
        self.checks_label = _label("")
        layout = QVBoxLayout(self)
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        layout.addWidget(folder_label)
        layout.addLayout(row)
        layout.addWidget(self.upgrade_note)
        layout.addWidget(self.checks_label)
        layout.addStretch()
        self.checks: list[requirements.Check] = []
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_checks)
        self.folder.textChanged.connect(self._timer.start)

    def target(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def initializePage(self) -> None:
        self.run_checks()

    def run_checks(self) -> None:
        self._timer.stop()
        target = self.target()
        if not self.folder.text().strip() or not target.is_absolute():
            self.checks = [requirements.Check("Folder", False, "Enter a full folder path.")]
        else:
            self.checks = requirements.check_all(
                target, self._wizard.needed_bytes(), self._wizard.free
            )
        self._show_checks()
        self._show_upgrade(target)
        self.completeChanged.emit()

    def _show_checks(self) -> None:
        lines = []
        for check in self.checks:
            mark = "&#10004;" if check.ok else "&#10008;"
            colour = "" if check.ok else ' style="color:#b00020"'
            lines.append(f"<p{colour}>{mark} <b>{check.name}</b>: {_html(check.text)}</p>")
        self.checks_label.setText("".join(lines))

    def _show_upgrade(self, target: Path) -> None:
        try:
            manifest = read_manifest(target) if target.is_absolute() else None
        except ConsoleError:
            manifest = None
        self.upgrade_note.setText(
            f"{PRODUCT} {manifest.version} is installed in this folder. Setup upgrades it to "
            f"{__version__}; your data file is kept and brought up to date."
            if manifest
            else ""
        )

    def isComplete(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def validatePage(self) -> bool:
        self.run_checks()
        return self.isComplete()

    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Select Installation Folder", str(self.target())
        )
        if chosen:
            self.folder.setText(
                str(Path(chosen) / "mfa-console") if _has_files(Path(chosen)) else chosen
            )


class InstallingPage(QWizardPage):
    """Copies the files off the GUI thread; shows files copied out of the total."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Installing")
        self.setSubTitle(f"Please wait while {PRODUCT} is installed.")
        self.bar = QProgressBar()
        self.status = _label("Preparing...")
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addStretch()
        self.task: Task | None = None
        self.result: core.InstallResult | None = None
        self.failed = False

    def initializePage(self) -> None:
        self.result, self.failed = None, False
        self.task = Task()
        self.task.progressed.connect(self._on_task_progressed)
        self.task.succeeded.connect(self._on_task_succeeded)
        self.task.errored.connect(self._on_task_errored)
        self.task.cancelled.connect(self._on_task_cancelled)
        self.task.start(self._wizard.install_work())

    def isComplete(self) -> bool:
        return self.result is not None

    def _on_task_progressed(self, done: int, total: int, text: str) -> None:
        self.bar.setMaximum(max(total, 0))
        self.bar.setValue(done)
        name = text.rsplit("/", 1)[-1]  # a file name fits the page; its whole path may not
        self.status.setText(f"{done} of {total} files copied.\n{name}")

    def _on_task_succeeded(self, result: object) -> None:
        assert isinstance(result, core.InstallResult)
        self.result = result
        self.status.setText(f"{result.files} of {result.files} files copied. Done.")
        self.completeChanged.emit()
        self._wizard.next()

    def _on_task_errored(self, exc: object) -> None:
        self.failed = True
        self.setSubTitle("Setup could not install the console. Nothing was changed.")
        self.status.setText(str(exc))
        if isinstance(exc, ConsoleError):
            messages.error(self, "Setup failed", exc)
        else:
            raise exc if isinstance(exc, BaseException) else RuntimeError(str(exc))

    def _on_task_cancelled(self) -> None:
        self.status.setText("Cancelled. Nothing was installed.")
        self._wizard.on_install_cancelled()


class FinishPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(f"Completing the {PRODUCT} Setup")
        self.summary = _label("")
        self.launch = QCheckBox("&Launch the configuration wizard")
        self.launch.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.launch)
        layout.addStretch()

    def initializePage(self) -> None:
        result = self._wizard.install_result()
        if result is None:
            return
        lines = [f"{core.outcome(result)}."]
        if result.launchers:
            lines.append("You can start it from your applications menu.")
        lines += [text for text in [result.migration, *result.warnings] if text]
        lines.append("Click Finish to close Setup.")
        self.summary.setText("\n\n".join(lines))


def _has_files(folder: Path) -> bool:
    try:
        return any(folder.iterdir()) and read_manifest(folder) is None
    except (OSError, ConsoleError):
        return False


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
