"""Building blocks shared by the configuration wizard's pages."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget, QWizardPage

from mfa_console.app import Services
from mfa_console.ui.forms.base import SettingsForm

SAVED_TESTED = "saved and tested"
SAVED_TEST_FAILED = "saved, test failed"
SAVED_NOT_TESTED = "saved, not tested"


class GuidedPage(QWizardPage):
    """A step of the guided setup: it embeds the same settings form as the step's pane.

    ``load`` fills the form; ``save`` stores it through the form (raises ``ConsoleError`` to keep
    the administrator on the page) and returns a one-line summary of what was saved for the final
    page. A step with a Test (``HAS_TEST``) remembers its outcome in ``tested``: None (never ran,
    or the settings changed since), True (passed) or False (failed). Every step can be skipped.
    """

    STEP = ""  # the short name used in the summary, e.g. "Directory connection"
    HAS_TEST = False

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.form: SettingsForm | None = None
        self.tested: bool | None = None

    def use_form(self, form: SettingsForm) -> None:
        self.form = form
        form.changed.connect(self._on_form_changed)

    def load(self) -> None:
        """Show the current settings."""
        if self.form is not None:
            self.form.load()
        self.tested = None

    def save(self) -> str:
        if self.form is None:
            raise NotImplementedError
        self.form.save()
        return self.form.summary()

    def outcome(self) -> str:
        """How the step ended, for the summary: saved and tested / test failed / not tested."""
        if not self.HAS_TEST:
            return "saved"
        if self.tested is None:
            return SAVED_NOT_TESTED
        return SAVED_TESTED if self.tested else SAVED_TEST_FAILED

    def record_test(self, passed: bool) -> None:
        self.tested = passed

    def _on_form_changed(self) -> None:
        # A Test speaks for the settings it tested: an edit since makes the step untested.
        self.tested = None

    def initializePage(self) -> None:
        self.load()


def scrolled_into(page: QWizardPage, content: QWidget) -> None:
    """Put ``content`` on ``page`` in a frameless scroll area: a tall form scrolls rather than
    grow the wizard past a small screen."""
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(area)
