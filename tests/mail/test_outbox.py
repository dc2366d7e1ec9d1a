"""The outbox against a real aiosmtpd: queued with the change, delivered once, failures kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.core.company import CompanySettings
from mfa_console.core.mail import queue_for_user, worker
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow
from tests.mail.conftest import add_user, configure
from tests.mail.smtpd import SmtpServer

pytestmark = pytest.mark.both_databases


def _queue(services: Services, user_id: int, reason: str = "new", pin: str | None = None) -> int:
    with services.db.write() as session:
        queued = queue_for_user(session, user_id, reason, pin=pin)
    assert queued is not None
    return queued


def test_queued_in_the_same_transaction_as_the_change(mail_services: Services) -> None:
    user_id = add_user(mail_services, "alice")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), mail_services.db.write() as session:
        assert queue_for_user(session, user_id, "new") is not None
        raise Boom
    assert mail_services.mail.outbox() == []


def test_delivery_with_utf8_names_subject_and_html_alternative(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    mail_services.settings.save(CompanySettings(company_name="Société Générale Ünïcode"))
    user_id = add_user(mail_services, "zoe", first_name="Zoë", last_name="Łukasiewicz")
    _queue(mail_services, user_id)
    report = mail_services.mail.send_now()
    assert (report.sent, report.failed, report.error) == (1, 0, "")
    [received] = smtpd.capture.received
    message = received.message
    assert received.rcpt_tos == ["zoe@example.com"]
    assert str(message["Subject"]).endswith("at Société Générale Ünïcode")
    assert str(message["To"]) == "Zoë Łukasiewicz <zoe@example.com>"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert "Hello Zoë," in plain.get_content()
    assert "<p>Hello Zoë,</p>" in html.get_content()
    [entry] = mail_services.mail.outbox()
    assert entry.state == "sent" and entry.message_id == str(message["Message-ID"])


def test_one_recipient_refused_while_others_are_delivered(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    ids = [add_user(mail_services, name) for name in ("ann", "bob", "cyd")]
    smtpd.capture.refuse.add("bob@example.com")
    for user_id in ids:
        _queue(mail_services, user_id)
    report = mail_services.mail.send_now()
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(r.rcpt_tos[0] for r in smtpd.capture.received) == [
        "ann@example.com",
        "cyd@example.com",
    ]
    states = {e.recipient: (e.state, e.last_error) for e in mail_services.mail.outbox()}
    assert states["bob@example.com"][0] == "failed"
    assert "550" in states["bob@example.com"][1]
    assert states["ann@example.com"][0] == states["cyd@example.com"][0] == "sent"


def test_checkbox_off_sends_nothing(services: Services, smtpd: SmtpServer) -> None:
    configure(services, smtpd)
    user_id = add_user(services, "dan")
    _queue(services, user_id)  # queued while the switch was on
    configure(services, smtpd, send_to_users=False)
    with services.db.write() as session:
        assert queue_for_user(session, user_id, "new") is None
    assert services.mail.queue_users([user_id]) == []
    report = services.mail.send_now()
    assert (report.sent, report.held) == (0, 1)
    assert smtpd.capture.received == []


def test_server_down_then_up_delivers_exactly_once(
    services: Services, own_server: SmtpServer
) -> None:
    configure(services, own_server)
    ids = [add_user(services, f"user{i}") for i in range(3)]
    for user_id in ids:
        _queue(services, user_id)
    report = services.mail.send_now()
    assert report.sent == 0 and "refused the connection" in report.error
    entries = services.mail.outbox()
    assert {e.state for e in entries} == {"queued"}
    assert all(e.attempts == 1 and "refused" in e.last_error for e in entries)
    # Not due yet (backoff): nothing is attempted even once the server is back.
    own_server.start()
    assert services.mail.send_now().sent == 0
    worker.due_now(services.db)
    assert services.mail.send_now().sent == 3
    assert services.mail.send_now().sent == 0
    received = own_server.capture.message_ids()
    assert len(received) == len(set(received)) == 3
    assert {e.state for e in services.mail.outbox()} == {"sent"}


def test_pin_never_stored_in_clear(
    mail_services: Services, smtpd: SmtpServer, data_file: Path
) -> None:
    pin = "90817263"
    user_id = add_user(mail_services, "erin", method="phone-call", mode="pin")
    _queue(mail_services, user_id, pin=pin)
    with mail_services.db.read() as session:
        row = session.scalars(select(OutboxRow)).one()
        assert row.sealed and row.template == "phone-call-pin"
        body = session.get(OutboxBodyRow, row.id)
        assert body is not None and pin.encode() not in body.content
    assert pin not in mail_services.mail.outbox()[0].subject
    _assert_not_in_files(data_file, pin)
    assert mail_services.mail.send_now().sent == 1
    [received] = smtpd.capture.received
    assert f"Your initial PIN is {pin}" in received.message.get_body(("plain",)).get_content()
    with mail_services.db.read() as session:
        assert session.scalars(select(OutboxBodyRow)).all() == []  # deleted once sent
    mail_services.close()
    _assert_not_in_files(data_file, pin)


def _assert_not_in_files(data_file: Path, needle: str) -> None:
    for path in data_file.parent.glob(data_file.name + "*"):
        assert needle.encode() not in path.read_bytes(), path.name


def test_retry_and_discard(mail_services: Services, smtpd: SmtpServer) -> None:
    ids = [add_user(mail_services, name) for name in ("fay", "gus")]
    smtpd.capture.refuse.add("fay@example.com")
    for user_id in ids:
        _queue(mail_services, user_id)
    mail_services.mail.send_now()
    failed = [e.id for e in mail_services.mail.outbox(["failed"])]
    sent = [e.id for e in mail_services.mail.outbox(["sent"])]
    assert mail_services.mail.retry(sent) == 0  # a sent message is never sent again
    smtpd.capture.refuse.clear()
    assert mail_services.mail.retry(failed) == 1
    assert mail_services.mail.send_now().sent == 1
    assert len(smtpd.capture.received) == 2
    assert mail_services.mail.discard(failed + sent) == 2
    assert mail_services.mail.outbox() == []


def test_admin_notice_goes_to_administrators_even_when_user_mail_is_off(
    services: Services, smtpd: SmtpServer
) -> None:
    from mfa_console.core.mail import queue_admin_notice

    configure(services, smtpd, send_to_users=False, admin_addresses="ops@example.com")
    with services.db.write() as session:
        ids = queue_admin_notice(
            session, "sync-approval", {"change_count": "12", "threshold": "5", "sync_item": "All"}
        )
    assert len(ids) == 1
    assert services.mail.send_now().sent == 1
    [received] = smtpd.capture.received
    assert received.rcpt_tos == ["ops@example.com"]
    assert "would disable or remove 12 users" in received.message.get_body(("plain",)).get_content()


def test_removed_user_keeps_the_message_and_old_sent_ones_are_pruned(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    from datetime import timedelta

    user_id = add_user(mail_services, "hana")
    _queue(mail_services, user_id)
    mail_services.users.remove([user_id])
    [entry] = mail_services.mail.outbox()
    assert entry.username == "hana"
    assert mail_services.mail.send_now().sent == 1
    worker.prune_sent(mail_services.db, keep=timedelta(0))
    assert mail_services.mail.outbox() == []


def test_sealed_message_without_its_key_fails_alone(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    from mfa_console.core.mail import seal

    first = add_user(mail_services, "ines", method="phone-call", mode="pin")
    second = add_user(mail_services, "jon")
    _queue(mail_services, first, pin="13572468")
    _queue(mail_services, second)
    mail_services.secrets.delete(seal.KEY_NAME)
    seal.forget_cached_keys()
    report = mail_services.mail.send_now()
    assert (report.sent, report.failed) == (1, 1)
    failed = mail_services.mail.outbox(["failed"])[0]
    assert failed.username == "ines" and "outbox key" in failed.last_error


def test_temporary_refusal_is_retried_with_backoff_then_delivered_once(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    user_id = add_user(mail_services, "kai")
    _queue(mail_services, user_id)
    smtpd.capture.defer.add("kai@example.com")
    report = mail_services.mail.send_now()
    assert (report.sent, report.failed, report.retrying) == (0, 0, 1)
    [entry] = mail_services.mail.outbox()
    assert entry.state == "queued" and entry.attempts == 1 and "451" in entry.last_error
    assert entry.next_attempt_at > entry.created_at
    assert mail_services.mail.send_now().sent == 0  # not due yet
    smtpd.capture.defer.clear()
    worker.due_now(mail_services.db)
    assert mail_services.mail.send_now().sent == 1
    assert len(smtpd.capture.received) == 1


def test_message_discarded_during_the_batch_is_not_delivered(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    ids = [add_user(mail_services, f"d{i}") for i in range(4)]
    queued = [_queue(mail_services, user_id) for user_id in ids]

    def discard_second(count: int) -> None:
        if count == 2:  # the server is handling RCPT of the 2nd message
            assert mail_services.mail.discard([queued[1]]) == 1

    smtpd.capture.on_rcpt = discard_second
    report = mail_services.mail.send_now()
    assert report.sent == 3
    assert sorted(r.rcpt_tos[0] for r in smtpd.capture.received) == [
        "d0@example.com",
        "d2@example.com",
        "d3@example.com",
    ]
    assert {e.state for e in mail_services.mail.outbox()} == {"sent"}
