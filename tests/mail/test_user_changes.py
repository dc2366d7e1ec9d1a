"""Add User / Edit User with "send email": queued with the change, delivered through real SMTP."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput
from tests.mail.conftest import configure
from tests.mail.smtpd import SmtpServer

pytestmark = pytest.mark.both_databases


def _text(message: object) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]  # type: ignore[attr-defined]
    return str(parts[0].get_content())


def test_add_user_with_a_pin_sends_it_and_never_stores_it(
    mail_services: Services, smtpd: SmtpServer, data_file: Path
) -> None:
    mail_services.users.add(
        UserInput("ann", email="ann@example.com", phone="425-555-0100", mode="pin", pin="48271"),
        send_email=True,
    )
    wal = data_file.with_name(data_file.name + "-wal")
    stored = data_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"48271" not in stored
    report = mail_services.mail.send_now()
    assert (report.sent, report.failed) == (1, 0)
    [received] = smtpd.capture.received
    assert received.rcpt_tos == ["ann@example.com"] and "48271" in _text(received.message)


def test_edit_with_send_email_sends_the_updated_account_mail(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    user = mail_services.users.add(UserInput("bob", email="bob@example.com", phone="425-555-0100"))
    assert mail_services.mail.outbox() == []  # added without "send email"
    changed = dataclasses.replace(user.to_input(), first_name="Robert")
    mail_services.users.update(user.id, user.version, changed, send_email=True)
    assert mail_services.mail.send_now().sent == 1
    [received] = smtpd.capture.received
    assert str(received.message["Subject"]) == "Your two-step verification settings changed"


def test_nothing_is_queued_while_send_emails_to_users_is_off(
    services: Services, smtpd: SmtpServer
) -> None:
    configure(services, smtpd, send_to_users=False)
    services.users.add(UserInput("cal", email="cal@example.com", enabled=False), send_email=True)
    assert services.mail.outbox() == []


def test_dialog_offers_send_email_only_when_email_is_set_up(
    qtbot: QtBot,
    services: Services,
    smtpd: SmtpServer,
    messages: list,  # type: ignore[type-arg]
) -> None:
    from mfa_console.ui.dialogs.user_edit import UserEditDialog

    before = UserEditDialog(services, None)
    qtbot.addWidget(before)
    assert not before.send_email.isVisibleTo(before)
    configure(services, smtpd)
    dialog = UserEditDialog(services, None)
    qtbot.addWidget(dialog)
    assert dialog.send_email.isVisibleTo(dialog) and dialog.send_email.isChecked()
    dialog.username.setText("dee@example.com")
    dialog.email.setText("dee@example.com")
    dialog.phone.setText("425-555-0100")
    dialog.accept()
    assert dialog.saved is not None and len(services.mail.outbox()) == 1


def test_users_pane_send_email_opens_the_preview_for_the_selection(
    qtbot: QtBot,
    mail_services: Services,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from mfa_console.ui.dialogs import send_email
    from mfa_console.ui.panes.users import UsersPane

    for name in ("eve", "fay"):
        mail_services.users.add(UserInput(name, email=f"{name}@example.com", enabled=False))
    opened: list[list[str]] = []

    def fake_exec(dialog: send_email.SendEmailDialog) -> int:
        opened.append(sorted(p.username for p in dialog.previews))  # type: ignore[attr-defined]
        return 0

    monkeypatch.setattr(send_email.SendEmailDialog, "exec", fake_exec)
    pane = UsersPane(mail_services)
    qtbot.addWidget(pane)
    assert not pane.buttons["email"].isEnabled()  # nothing selected
    pane._select_rows([0, 1])
    assert pane.buttons["email"].isEnabled()
    pane.buttons["email"].click()
    assert opened == [["eve", "fay"]]


def test_status_pane_email_section_counts_the_outbox(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    from mfa_console.core import status

    mail_services.users.add(UserInput("gil", email="gil@example.com", enabled=False),
                            send_email=True)  # fmt: skip
    section = {s.key: s for s in status.snapshot(mail_services)}["email"]
    assert (section.state, section.facts["queued"]) == (status.OK, 1)
    mail_services.mail.send_now()
    section = {s.key: s for s in status.snapshot(mail_services)}["email"]
    assert (section.facts["queued"], section.facts["sent"]) == (0, 1)


def test_directory_import_queues_enrollment_for_created_users_only(
    mail_services: Services, smtpd: SmtpServer
) -> None:
    from mfa_console.core.directory.records import DirectoryUser
    from mfa_console.core.progress import NullProgress

    def record(name: str, phone: str) -> DirectoryUser:
        return DirectoryUser(
            directory_id=f"00000000-0000-4000-8000-00000000000{len(name)}",
            dn=f"cn={name},ou=staff,dc=example,dc=com", username=f"{name}@example.com",
            email=f"{name}@example.com", phones={"business": phone},
        )  # fmt: skip

    first = mail_services.directory.import_records(
        [record("ivy", "425-555-0100"), record("jo", "425-555-0101")], NullProgress()
    )
    assert first.created == 2 and len(mail_services.mail.outbox()) == 2
    again = mail_services.directory.import_records(
        [record("ivy", "425-555-0199"), record("jo", "425-555-0101")], NullProgress()
    )
    assert again.updated == 1 and len(mail_services.mail.outbox()) == 2  # no mail for updates
    assert mail_services.mail.send_now().sent == 2
    assert sorted(r.rcpt_tos[0] for r in smtpd.capture.received) == [
        "ivy@example.com", "jo@example.com",
    ]  # fmt: skip
