"""The configuration wizard: Skip, the guided setup, and the first run ending on Activation."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWizard

from mfa_console.app import Services
from mfa_console.core.company import CompanySettings
from mfa_console.core.firstrun import FirstRunSettings
from mfa_console.ui.wizards.configuration import SKIP_STEP, ConfigurationWizard
from mfa_console.ui.wizards.first_run import FirstRun
from mfa_console.ui.wizards.page_user_defaults import UserDefaultsPage
from mfa_console.ui.wizards.pages import GuidedPage


def _start(window, qtbot) -> ConfigurationWizard:  # type: ignore[no-untyped-def]
    flow = FirstRun(window)
    flow.start()
    assert flow.wizard is not None
    wizard = flow.wizard
    qtbot.waitExposed(wizard)
    assert not window.isVisible()  # the wizard comes first, the console after it
    return wizard


def _assert_console_on_activation(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = window.pane("activation")
    qtbot.waitUntil(window.isVisible)
    assert window.current_pane_key == "activation"
    assert pane.explanation.isVisible()
    assert "Generate Activation Credentials" in pane.explanation.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is pane.email_edit)


def test_skip_closes_wizard_remembers_choice_and_opens_activation(
    services: Services, window, qtbot, messages
) -> None:  # type: ignore[no-untyped-def]
    wizard = _start(window, qtbot)
    assert wizard.welcome.skip_check.text() == "&Skip using the Authentication Configuration Wizard"
    wizard.welcome.skip_check.setChecked(True)
    wizard.button(QWizard.WizardButton.NextButton).click()

    qtbot.waitUntil(lambda: not wizard.isVisible())
    remembered = services.settings.load(FirstRunSettings)
    assert remembered.configured and remembered.skip_wizard
    assert services.settings.load(CompanySettings) == CompanySettings()
    _assert_console_on_activation(window, qtbot)

    again = FirstRun(window)
    again.start()
    assert again.wizard is None  # configured: the console opens directly

    tools = next(a for a in window.menus["Tools"].actions() if "Configuration Wizard" in a.text())
    tools.trigger()
    rerun = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ConfigurationWizard))
    assert rerun.welcome.skip_check.isChecked()  # the remembered choice
    rerun.reject()
    assert messages == []


def test_guided_setup_saves_user_defaults_and_opens_activation(
    services: Services, window, qtbot, messages
) -> None:  # type: ignore[no-untyped-def]
    wizard = _start(window, qtbot)
    assert not wizard.welcome.skip_check.isChecked()
    assert not wizard.button(SKIP_STEP).isVisible()
    wizard.next()
    page = wizard.currentPage()
    while not isinstance(page, UserDefaultsPage):  # directory / email steps when installed
        wizard.button(SKIP_STEP).click()
        page = wizard.currentPage()
    assert wizard.button(SKIP_STEP).isVisible()
    form = page.company  # the Company Settings pane's form
    form.company_name.setText("Example Corp")
    form.default_method.setCurrentIndex(form.default_method.findData("text-message"))
    form.default_mode.setCurrentIndex(form.default_mode.findData("otp-pin"))
    form.default_country_code.setCurrentIndex(form.default_country_code.findData(44))
    for combo in form.languages.values():
        combo.setCurrentIndex(combo.findData("fr"))
    wizard.button(QWizard.WizardButton.NextButton).click()

    assert wizard.currentPage() is wizard.finish
    assert "User defaults</b>: saved" in wizard.finish.summary.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()

    company = services.settings.load(CompanySettings)
    assert (company.company_name, company.default_method, company.default_mode) == (
        "Example Corp",
        "text-message",
        "otp-pin",
    )
    assert company.default_country_code == 44
    assert {company.language_for(m) for m in ("phone-call", "oath-token")} == {"fr"}
    remembered = services.settings.load(FirstRunSettings)
    assert remembered.configured and not remembered.skip_wizard
    _assert_console_on_activation(window, qtbot)
    assert messages == []


def test_every_step_can_be_skipped(services: Services, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    wizard = _start(window, qtbot)
    wizard.next()
    while wizard.currentPage() is not wizard.finish:
        wizard.button(SKIP_STEP).click()
    assert "User defaults</b>: skipped" in wizard.finish.summary.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert services.settings.load(CompanySettings) == CompanySettings()
    assert services.settings.load(FirstRunSettings).configured
    _assert_console_on_activation(window, qtbot)


def test_wizard_pages_render_at_800x600(services: Services, qtbot, shots, messages) -> None:  # type: ignore[no-untyped-def]
    wizard = ConfigurationWizard(services)
    qtbot.addWidget(wizard)
    wizard.resize(800, 600)
    wizard.show()
    qtbot.waitExposed(wizard)
    index = 0
    while True:
        page = wizard.currentPage()
        QApplication.processEvents()
        assert page.sizeHint().height() <= page.height()  # nothing cut off
        assert wizard.grab().save(str(shots / f"wizard-{index}-{type(page).__name__}.png"))
        if page is wizard.finish:
            break
        if isinstance(page, GuidedPage):
            wizard.button(SKIP_STEP).click()  # render every step without saving anything
        else:
            wizard.next()
        index += 1
    assert messages == []
