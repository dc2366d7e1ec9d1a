"""SSL/TLS security (implicit TLS, port 465) against a real aiosmtpd server speaking TLS at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput
from tests.mail.conftest import configure
from tests.mail.smtpd import PASSWORD, Certificates, SmtpServer


@pytest.fixture
def tls_server(certs: Certificates) -> Iterator[SmtpServer]:
    server = SmtpServer(certs, implicit_tls=True).start()
    yield server
    server.stop()


def test_delivery_over_implicit_tls(services: Services, tls_server: SmtpServer) -> None:
    configure(services, tls_server, security="ssl")
    services.users.add(UserInput("tls", email="tls@example.com", enabled=False), send_email=True)
    report = services.mail.send_now()
    assert (report.sent, report.error) == (1, "")
    assert tls_server.capture.received[0].rcpt_tos == ["tls@example.com"]


def test_starttls_setting_against_an_implicit_tls_server_fails_in_words(
    services: Services, tls_server: SmtpServer
) -> None:
    configure(services, tls_server, security="starttls", timeout=5)
    result = services.mail.test("admin@example.com")
    assert not result.ok and result.error
    assert tls_server.capture.received == []


def test_test_button_over_implicit_tls(services: Services, tls_server: SmtpServer) -> None:
    configure(services, tls_server, security="ssl")
    result = services.mail.test("admin@example.com")
    assert result.ok, result.error
    assert "AUTH" in result.transcript and PASSWORD not in result.transcript
