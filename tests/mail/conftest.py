"""Mail fixtures: trustme certificates, a real aiosmtpd server, services configured to use it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.core.mail import seal
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.users.records import UserInput
from tests.mail.smtpd import LOGIN, PASSWORD, Capture, Certificates, SmtpServer


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("smtp-certs"))


@pytest.fixture(scope="session")
def shared_server(certs: Certificates) -> Iterator[SmtpServer]:
    server = SmtpServer(certs).start()
    yield server
    server.stop()


@pytest.fixture
def smtpd(shared_server: SmtpServer) -> SmtpServer:
    """The shared server with an empty capture for this test."""
    shared_server.capture.received.clear()
    shared_server.capture.count = shared_server.capture.rcpt_count = 0
    shared_server.capture.refuse.clear()
    shared_server.capture.defer.clear()
    shared_server.capture.on_rcpt = shared_server.capture.on_data = None
    return shared_server


@pytest.fixture
def own_server(certs: Certificates) -> Iterator[SmtpServer]:
    """A server of this test alone (not started), for stop / start scenarios."""
    server = SmtpServer(certs, Capture())
    yield server
    server.stop()


def email_settings(smtp: SmtpServer, **changes: object) -> EmailSettings:
    base = EmailSettings(
        server="127.0.0.1",
        port=smtp.port,
        security="starttls",
        verify="ca-file",
        ca_file=str(smtp.certs.ca_file),
        username=LOGIN,
        from_address="mfa@example.com",
        from_name="MFA Help Desk",
        timeout=10,
        send_to_users=True,
        portal_url="https://mfa.example.test/portal",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def configure(services: Services, server: SmtpServer, **changes: object) -> EmailSettings:
    settings = email_settings(server, **changes)
    services.mail.save_settings(settings, PASSWORD)
    return settings


def add_user(services: Services, name: str, **fields: object) -> int:
    values: dict[str, object] = {"email": f"{name}@example.com", "phone": "425-555-0100"}
    values |= fields
    return services.users.add(UserInput(username=name, **values)).id  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fresh_seal_keys() -> Iterator[None]:
    seal.forget_cached_keys()
    yield
    seal.forget_cached_keys()


@pytest.fixture
def mail_services(services: Services, smtpd: SmtpServer) -> Services:
    configure(services, smtpd)
    return services


__all__ = ["Path", "add_user", "configure", "email_settings"]
