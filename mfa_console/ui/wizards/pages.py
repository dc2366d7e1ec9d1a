"""Building blocks shared by the configuration wizard's pages."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizardPage

from mfa_console.app import Services


class GuidedPage(QWizardPage):
    """A step of the guided setup: ``load`` fills it, ``save`` stores it through core services.

    ``save`` raises ``ConsoleError`` (validation, keyring) to keep the administrator on the page,
    and returns a one-line summary of what was saved for the final page. Every step can be skipped.
    """

    STEP = ""  # the short name used in the summary, e.g. "Directory connection"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services

    def load(self) -> None:
        """Show the current settings."""

    def save(self) -> str:
        raise NotImplementedError

    def initializePage(self) -> None:
        self.load()
