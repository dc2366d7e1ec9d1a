"""The configuration wizard: welcome (with Skip), the guided steps, and a summary.

The guided steps are a list of page classes: the directory and email steps join the list only when
their features are installed. Each step saves through the same core services as its pane, and each
can be skipped. Finishing or skipping marks the data file as configured (``FirstRunSettings``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.firstrun import FirstRunSettings
from mfa_console.ui import messages
from mfa_console.ui.forms.base import problem_lines
from mfa_console.ui.wizards.page_user_defaults import UserDefaultsPage
from mfa_console.ui.wizards.page_welcome import WelcomePage
from mfa_console.ui.wizards.pages import GuidedPage

log = logging.getLogger(__name__)
SKIP_STEP = QWizard.WizardButton.CustomButton1


def guided_page_classes() -> list[type[GuidedPage]]:
    """The guided steps in order; a step whose feature is not installed is left out."""
    classes: list[type[GuidedPage]] = []
    try:
        from mfa_console.ui.wizards.page_directory import DirectoryPage

        classes.append(DirectoryPage)
    except ImportError as exc:
        log.info("Configuration wizard without the directory step: %s", exc)
    try:
        from mfa_console.ui.wizards.page_email import EmailPage

        classes.append(EmailPage)
    except ImportError as exc:
        log.info("Configuration wizard without the email step: %s", exc)
    classes.append(UserDefaultsPage)
    return classes


class FinishPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Configuration Complete")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def show_outcomes(self, outcomes: dict[str, str]) -> None:
        rows = "".join(f"<li><b>{step}</b>: {text}</li>" for step, text in outcomes.items())
        self.summary.setText(
            f"<ul>{rows}</ul><p>Click Finish to open the console. Activate this server on the "
            "Activation pane with the credentials from your activation service, now or later.</p>"
        )


class ConfigurationWizard(QWizard):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Authentication Configuration Wizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(SKIP_STEP, "S&kip This Step")
        self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.currentIdChanged.connect(self._on_current_id_changed)
        self.guided: list[GuidedPage] = [cls(services) for cls in guided_page_classes()]
        remembered = services.settings.load(FirstRunSettings).skip_wizard
        self.welcome = WelcomePage([page.STEP for page in self.guided], remembered)
        self.finish = FinishPage()
        self.outcomes: dict[str, str] = {}
        self._skipping = self._closing = False
        for page in (self.welcome, *self.guided, self.finish):
            self.addPage(page)
        self.resize(640, 480)

    def validateCurrentPage(self) -> bool:
        if self._closing:  # accept() validates the current page again
            return True
        page = self.currentPage()
        if page is self.welcome and self.welcome.skip_check.isChecked():
            self._closing = True
            self.accept()  # the original: Next closes the wizard, the console opens
            return False
        if isinstance(page, GuidedPage) and not self._skipping and not self._save_step(page):
            return False
        return bool(super().validateCurrentPage())

    def _save_step(self, page: GuidedPage) -> bool:
        """Save the step (asking first when its Test failed or never ran); False keeps it."""
        if page.HAS_TEST and page.tested is not True and not self._confirm_untested(page):
            return False
        outcome = page.outcome()
        try:
            summary = page.save()
        except ValidationError as exc:
            messages.warning(self, page.title(), "The settings were not saved.", problem_lines(exc))
            return False
        except ConsoleError as exc:
            messages.error(self, page.title(), exc)
            return False
        self.outcomes[page.STEP] = f"{outcome} ({summary})" if summary else outcome
        return True

    def _confirm_untested(self, page: GuidedPage) -> bool:
        why = "The Test failed" if page.tested is False else "These settings were not tested"
        return messages.confirm(
            self,
            page.title(),
            f"{why}. Save them anyway?",
            "Click No to stay on this step and Test; the summary says the step was saved "
            "without a passing Test.",
        )

    def _on_custom_button_clicked(self, which: int) -> None:
        page = self.currentPage()
        if which != SKIP_STEP.value or not isinstance(page, GuidedPage):
            return
        self.outcomes[page.STEP] = "skipped"
        self._skipping = True
        try:
            self.next()
        finally:
            self._skipping = False

    def _on_current_id_changed(self, _page_id: int) -> None:
        page = self.currentPage()
        self.button(SKIP_STEP).setVisible(isinstance(page, GuidedPage))
        if page is self.finish:
            self.finish.show_outcomes(self.outcomes)

    def accept(self) -> None:
        """Finish, or Next with Skip checked: remember it, so the wizard does not come back."""
        self.services.settings.save(
            FirstRunSettings(
                configured=True,
                skip_wizard=self.welcome.skip_check.isChecked(),
                completed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
        super().accept()
