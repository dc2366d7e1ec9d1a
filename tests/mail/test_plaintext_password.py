"""Security None with a user name: the SMTP password would cross the network in clear.

Refused unless explicitly allowed; when allowed, warned at configure (CLI and pane), at Test and
in Status. Against the test SMTP server in its mode without TLS, which records every login and
whether it came over TLS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.cli import run
from mfa_console.core.errors import ValidationError
from mfa_console.core.mail.settings import PLAINTEXT_WARNING
from mfa_console.core.mail.smtp import SmtpSender
from mfa_console.core.mail.status import status_section
from tests.mail.conftest import email_settings
from tests.mail.smtpd import LOGIN, PASSWORD, Certificates, SmtpServer


@pytest.fixture
def plain_server(certs: Certificates) -> Iterator[SmtpServer]:
    server = SmtpServer(certs, plaintext=True).start()
    yield server
    server.stop()


def test_refused_unless_allowed_and_nothing_sent(
    services: Services, plain_server: SmtpServer
) -> None:
    settings = email_settings(plain_server, security="none", verify="system", ca_file="")
    with pytest.raises(ValidationError) as refused:
        services.mail.save_settings(settings, PASSWORD)
    assert "clear" in refused.value.problems["security"]

    # Settings from before the rule: the sender itself refuses to log in.
    result = services.mail.test("admin@example.org", settings, PASSWORD)
    assert not result.ok and "was not sent" in result.error
    assert plain_server.capture.logins == [] and plain_server.capture.received == []
    with pytest.raises(Exception, match="would cross the network"):
        SmtpSender(settings, PASSWORD).open()


def test_allowed_sends_with_warnings_at_test_and_in_status(
    services: Services, plain_server: SmtpServer
) -> None:
    settings = email_settings(
        plain_server, security="none", verify="system", ca_file="",
        allow_plaintext_password=True,
    )  # fmt: skip
    services.mail.save_settings(settings, PASSWORD)

    result = services.mail.test("admin@example.org")

    assert result.ok, result.error
    assert plain_server.capture.logins == [(LOGIN, False)]  # it did cross in clear
    assert result.warning == PLAINTEXT_WARNING
    assert "warning: the password is sent without encryption" in result.transcript
    section = status_section(services)
    assert section.state == "warning" and section.facts["password_in_clear"] is True
    assert any("clear text" in line for line in section.lines)

    services.mail.save_settings(dataclasses.replace(settings, username=""), "")
    section = status_section(services)
    assert not section.facts["password_in_clear"]  # no login: no password to expose


def test_cli_configure_needs_the_flag_and_warns(
    services: Services,
    data_file: Path,
    plain_server: SmtpServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    args = ["--data", str(data_file), "email", "configure", "--server", "127.0.0.1",
            "--port", str(plain_server.port), "--security", "none", "--username", LOGIN,
            "--password-stdin", "--from", "mfa@example.com"]  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(args) == 1
    assert "allow sending the password without encryption" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run([*args, "--allow-plaintext-password"]) == 0
    assert "clear text" in capsys.readouterr().err
    assert run(["--data", str(data_file), "email", "test", "--to", "a@example.org"]) == 0
    assert "Warning: " in capsys.readouterr().err
    assert plain_server.capture.logins == [(LOGIN, False)]


def test_pane_shows_the_warning_and_the_switch(qtbot, services: Services, messages) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.ui.panes.email import EmailPane

    pane = EmailPane(services)
    qtbot.addWidget(pane)
    pane.show()
    form = pane.settings_tab.form
    form.server.setText("127.0.0.1")
    form.from_address.setText("mfa@example.com")
    form.username.setText(LOGIN)
    form.security.setCurrentIndex(form.security.findData("none"))
    assert form.plaintext_warning.isVisible() and form.allow_plaintext.isVisible()
    assert not pane.save_bar.save()
    assert messages[-1].kind == "warning" and "clear" in messages[-1].detail
    form.allow_plaintext.setChecked(True)
    assert pane.save_bar.save()
    assert services.mail.settings().allow_plaintext_password
    form.security.setCurrentIndex(form.security.findData("starttls"))
    assert not form.plaintext_warning.isVisible()
