"""The background service sends the outbox: queued by the console, delivered by the service."""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core.service.loop import ServiceLoop, outbox_job
from mfa_console.core.users.records import UserInput
from tests.mail.smtpd import SmtpServer


def test_service_delivers_what_the_console_queued(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    mail_services.users.add(UserInput("kim", email="kim@example.com", enabled=False),
                            send_email=True)  # fmt: skip
    ServiceLoop(mail_services, factories=[outbox_job]).run(once=True)
    assert [r.rcpt_tos for r in smtpd.capture.received] == [["kim@example.com"]]
    ServiceLoop(mail_services, factories=[outbox_job]).run(once=True)
    assert len(smtpd.capture.received) == 1  # sent once
