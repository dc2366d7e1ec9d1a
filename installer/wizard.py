"""The installer wizard (Qt): pages in ``installer.pages``, the work in ``installer.core``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWizard

from installer import PRODUCT, core, requirements
from installer.launchers import ICON_FILE
from installer.pages import FinishPage, FolderPage, InstallingPage, LicensePage, WelcomePage
from installer.payload import Payload
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import Progress
from mfa_console.ui import messages

Launcher = Callable[[Path], object]


class SetupWizard(QWizard):
    """Welcome, License Agreement, Select Installation Folder, Installing, Finish."""

    def __init__(
        self,
        payload: Payload,
        target: Path | None = None,
        data_file: Path | None = None,
        *,
        free: Callable[[Path], int] = requirements.disk_free,
        launch: Launcher = core.launch_console,
    ) -> None:
        super().__init__()
        self.payload, self.data_file, self.free, self._launch = payload, data_file, free, launch
        self._needed = payload.installed_size()
        self.setWindowTitle(f"{PRODUCT} Setup")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setMinimumSize(QSize(640, 480))
        logo = icon_path()
        if logo is not None:
            icon = QIcon(str(logo))
            self.setPixmap(QWizard.WizardPixmap.LogoPixmap, icon.pixmap(48, 48))
            self.setPixmap(QWizard.WizardPixmap.WatermarkPixmap, watermark(icon))
        self.welcome = WelcomePage()
        self.license = LicensePage()
        self.folder = FolderPage(self, target or core.default_target())
        self.installing = InstallingPage(self)
        self.finish = FinishPage(self)
        for page in (self.welcome, self.license, self.folder, self.installing, self.finish):
            self.addPage(page)

    def needed_bytes(self) -> int:
        return self._needed

    def install_work(self) -> Callable[[Progress], core.InstallResult]:
        """The work the Installing page runs off the GUI thread."""
        target = self.folder.target()

        def work(progress: Progress) -> core.InstallResult:
            return core.install(
                self.payload, target, progress, data_file=self.data_file, free=self.free
            )

        return work

    def install_result(self) -> core.InstallResult | None:
        return self.installing.result

    def accept(self) -> None:
        result = self.installing.result
        if result is not None and self.finish.launch.isChecked():
            try:
                self._launch(result.target)
            except OSError as exc:
                messages.error(
                    self,
                    "Cannot start the console",
                    ConsoleError(
                        f"{result.target} could not be started ({exc}).",
                        hint="Start MFA Console from your applications menu.",
                    ),
                )
        super().accept()

    def reject(self) -> None:
        task = self.installing.task
        if task is not None and task.running:
            task.cancel()  # the page closes the wizard once the copy has stopped and cleaned up
            return
        super().reject()

    def on_install_cancelled(self) -> None:
        super().reject()


def watermark(icon: QIcon) -> QPixmap:
    """The band beside the Welcome and Finish pages: the console's colour and icon."""
    pixmap = QPixmap(164, 552)
    pixmap.fill(QColor("#1f5fa8"))
    painter = QPainter(pixmap)
    painter.drawPixmap(34, 40, icon.pixmap(96, 96))
    painter.end()
    return pixmap


def icon_path() -> Path | None:
    """The console's icon: beside the frozen setup, or in the repository's resources."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = (
        Path(bundle) if bundle else Path(__file__).resolve().parent.parent / "resources" / "icons"
    )
    path = root / ICON_FILE
    return path if path.exists() else None


def run_wizard(
    open_payload: Callable[[], Payload], target: Path | None, data_file: Path | None
) -> int:
    """Show the wizard; 0 when the console was installed, 1 when not."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(f"{PRODUCT} Setup")
    icon = icon_path()
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    try:
        payload = open_payload()
    except ConsoleError as exc:
        messages.error(None, f"{PRODUCT} Setup", exc)
        return 1
    try:
        wizard = SetupWizard(payload, target, data_file)
        wizard.show()
        app.exec()
        return 0 if wizard.installing.result is not None else 1
    finally:
        payload.close()
