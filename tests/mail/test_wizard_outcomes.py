"""The guided setup says per step how it ended: Next on a step whose Test failed or never ran asks
first; the summary says "saved and tested", "saved, test failed" or "saved, not tested". The
directory Test really fails (an unresolvable name); the email Test talks to a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWizard

from mfa_console.app import Services
from mfa_console.ui import messages as messages_module
from mfa_console.ui.wizards.configuration import ConfigurationWizard
from mfa_console.ui.wizards.page_directory import DirectoryPage
from mfa_console.ui.wizards.page_email import EmailPage
from mfa_console.ui.wizards.page_user_defaults import UserDefaultsPage
from tests.mail.smtpd import LOGIN, PASSWORD, SmtpServer


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool], list[Any]]:
    """Answers to the next questions (Yes when none is left), and every message shown."""
    queue: list[bool] = []
    shown: list[Any] = []

    def handler(_parent: object, message: messages_module.Message) -> bool | str:
        shown.append(message)
        return queue.pop(0) if queue and message.kind == "question" else True

    monkeypatch.setattr(messages_module.MessageSink, "handler", staticmethod(handler))
    return queue, shown


def _next(wizard: ConfigurationWizard) -> None:
    wizard.button(QWizard.WizardButton.NextButton).click()


def _fill_email(page: EmailPage, smtpd: SmtpServer) -> None:
    form = page.server_form
    form.server.setText("127.0.0.1")
    form.security.setCurrentIndex(form.security.findData("starttls"))
    form.port.setValue(smtpd.port)
    form.verify_file.setChecked(True)
    form.ca_file.setText(str(smtpd.certs.ca_file))
    form.username.setText(LOGIN)
    form.password.setText(PASSWORD)
    form.from_address.setText("mfa@example.com")


def test_summary_says_how_each_step_ended(
    qtbot: Any, services: Services, smtpd: SmtpServer, answers: Any
) -> None:
    queue, shown = answers
    wizard = ConfigurationWizard(services)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(wizard)
    directory = wizard.currentPage()
    assert isinstance(directory, DirectoryPage)
    form = directory.connection
    form.use_ldap.setChecked(True)
    form.servers.setText("ldaps://nothere.invalid")
    form.base_dn.setText("dc=example,dc=test")
    form.bind.setCurrentIndex(form.bind.findData("anonymous"))
    directory.test_button.click()
    qtbot.waitUntil(lambda: directory.tested is False, timeout=20_000)

    queue.append(False)  # "The Test failed. Save them anyway?" No: stay on the step
    _next(wizard)
    assert wizard.currentPage() is directory
    assert shown[-1].kind == "question" and shown[-1].text.startswith("The Test failed")
    assert services.directory.load().servers == ()  # nothing saved
    queue.append(True)
    _next(wizard)
    email = wizard.currentPage()
    assert isinstance(email, EmailPage)
    assert services.directory.load().servers == ("ldaps://nothere.invalid",)

    _fill_email(email, smtpd)
    email.server_form.port.setValue(1)  # never tested
    queue.append(True)
    _next(wizard)
    assert shown[-1].text.startswith("These settings were not tested")
    assert isinstance(wizard.currentPage(), UserDefaultsPage)
    _next(wizard)
    summary = wizard.finish.summary.text()
    assert "Directory connection</b>: saved, test failed" in summary
    assert "Email server</b>: saved, not tested" in summary
    assert "User defaults</b>: saved" in summary

    wizard.back()
    wizard.back()
    assert wizard.currentPage() is email
    _fill_email(email, smtpd)
    email.test_box.recipient.setText("admin@example.org")
    email.test_box.test_button.click()
    qtbot.waitUntil(lambda: email.tested is True, timeout=20_000)
    asked = len([m for m in shown if m.kind == "question"])
    _next(wizard)
    assert len([m for m in shown if m.kind == "question"]) == asked  # tested: no question
    _next(wizard)
    assert "Email server</b>: saved and tested" in wizard.finish.summary.text()
    assert services.mail.settings().port == smtpd.port
