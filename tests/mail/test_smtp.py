"""SmtpSender against a real aiosmtpd (STARTTLS + AUTH): delivery and every failure in words."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mfa_console.app import Services
from mfa_console.core.errors import ValidationError
from mfa_console.core.mail.settings import PASSWORD_KEY
from tests.mail.conftest import configure, email_settings
from tests.mail.smtpd import PASSWORD, SmtpServer, free_port


def test_test_message_is_delivered_with_configured_from(
    services: Services, smtpd: SmtpServer
) -> None:
    configure(services, smtpd, send_to_users=False)
    result = services.mail.test("admin@example.org")
    assert result.ok, result.error
    [received] = smtpd.capture.received
    assert received.rcpt_tos == ["admin@example.org"]
    assert received.mail_from == "mfa@example.com"
    assert str(received.message["From"]) == "MFA Help Desk <mfa@example.com>"
    transcript = result.transcript
    assert "STARTTLS" in transcript and "TLS established" in transcript
    assert "AUTH PLAIN ********" in transcript or "AUTH LOGIN" in transcript
    assert "235" in transcript and "rcpt to:<admin@example.org>" in transcript.lower()


def test_transcript_never_holds_the_password(services: Services, smtpd: SmtpServer) -> None:
    import base64

    configure(services, smtpd)
    result = services.mail.test("admin@example.org")
    encoded = base64.b64encode(f"\0mailer@example.test\0{PASSWORD}".encode()).decode()
    assert PASSWORD not in result.transcript
    assert encoded not in result.transcript
    assert base64.b64encode(PASSWORD.encode()).decode() not in result.transcript


def test_wrong_password_is_authentication_failed(services: Services, smtpd: SmtpServer) -> None:
    settings = email_settings(smtpd)
    result = services.mail.test("admin@example.org", settings, "wrong-password")
    assert not result.ok
    assert result.kind == "authentication-failed"
    assert "535" in result.error and "username or password" in result.error
    assert "wrong-password" not in result.transcript
    assert smtpd.capture.received == []


def test_untrusted_certificate(services: Services, smtpd: SmtpServer) -> None:
    settings = email_settings(smtpd, verify="system", ca_file="")
    result = services.mail.test("admin@example.org", settings, PASSWORD)
    assert not result.ok
    assert result.kind == "certificate-not-trusted"
    assert "not trusted" in result.error and "CA file" in result.hint


def test_recipient_refused_550(services: Services, smtpd: SmtpServer) -> None:
    smtpd.capture.refuse.add("outside@elsewhere.example")
    configure(services, smtpd)
    result = services.mail.test("outside@elsewhere.example")
    assert not result.ok
    assert result.kind == "recipient-refused"
    assert "550" in result.error and "relay" in result.error.lower()


def test_connection_refused(services: Services, smtpd: SmtpServer) -> None:
    settings = email_settings(smtpd, port=free_port())
    result = services.mail.test("admin@example.org", settings, PASSWORD)
    assert result.kind == "connection-refused"
    assert "refused the connection" in result.error


def test_name_not_found(services: Services, smtpd: SmtpServer) -> None:
    settings = email_settings(smtpd, server="no-such-host.invalid")
    result = services.mail.test("admin@example.org", settings, PASSWORD)
    assert result.kind == "name-not-found"
    assert "was not found" in result.error


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(5)
        yield int(sock.getsockname()[1])


def test_timeout(services: Services, smtpd: SmtpServer, silent_port: int) -> None:
    settings = email_settings(smtpd, port=silent_port, timeout=1)
    result = services.mail.test("admin@example.org", settings, PASSWORD)
    assert result.kind == "timeout"
    assert "did not answer within 1 s" in result.error


def test_test_recipient_must_be_an_address(services: Services, smtpd: SmtpServer) -> None:
    configure(services, smtpd)
    with pytest.raises(ValidationError):
        services.mail.test("not an address")


def test_password_lives_in_keyring_only(services: Services, smtpd: SmtpServer, data_file) -> None:  # type: ignore[no-untyped-def]
    configure(services, smtpd)
    assert services.secrets.get(PASSWORD_KEY) == PASSWORD
    services.close()
    for path in data_file.parent.glob(data_file.name + "*"):
        assert PASSWORD.encode() not in path.read_bytes()
