"""The first run: the configuration wizard when the data file is new, then the console.

When the wizard closes (finished, skipped or cancelled) and the server is not activated, the
console opens on the Activation pane with the Email box focused. Tools > Run Configuration Wizard
runs the same flow over the open console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from mfa_console.core.firstrun import FirstRunSettings
from mfa_console.ui.wizards.configuration import ConfigurationWizard

if TYPE_CHECKING:
    from mfa_console.ui.main_window import MainWindow


class FirstRun(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.wizard: ConfigurationWizard | None = None

    def start(self, *, force: bool = False) -> None:
        """The wizard if the data file was never configured (or ``force``), else the console."""
        services = self.window.services
        if not force and services.settings.load(FirstRunSettings).configured:
            self.window.show()
            return
        parent = self.window if self.window.isVisible() else None
        self.wizard = ConfigurationWizard(services, parent)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.wizard.finished.connect(self._on_wizard_finished)
        self.wizard.show()

    def _on_wizard_finished(self, _result: int) -> None:
        self.wizard = None
        self.window.show()
        if not self.window.services.activation.status().activated:
            pane = self.window.show_pane("activation")
            self.window.raise_()
            self.window.activateWindow()
            pane.focus_email()  # type: ignore[attr-defined]


def run_configuration_wizard(window: MainWindow) -> FirstRun:
    """Tools > Run Configuration Wizard."""
    flow = FirstRun(window)
    flow.start(force=True)
    return flow
