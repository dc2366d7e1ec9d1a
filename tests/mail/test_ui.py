"""The Email pane, the Outbox and Send Email dialogs, offscreen with pytest-qt, real SMTP server."""

from __future__ import annotations

from typing import Any

from mfa_console.app import Services
from mfa_console.core.mail import queue_for_user
from mfa_console.core.mail.settings import PASSWORD_KEY
from mfa_console.ui.dialogs.outbox import OutboxDialog
from mfa_console.ui.dialogs.send_email import SendEmailDialog
from mfa_console.ui.models.outbox import OutboxTableModel
from mfa_console.ui.panes.email import EmailPane
from tests.mail.conftest import add_user, configure
from tests.mail.smtpd import LOGIN, PASSWORD, SmtpServer


def test_settings_tab_saves_password_to_keyring_and_tests(
    qtbot: Any, services: Services, smtpd: SmtpServer, messages: list[Any]
) -> None:
    pane = EmailPane(services)
    qtbot.addWidget(pane)
    tab = pane.settings_tab
    tab.server.setText("127.0.0.1")
    tab.security.setCurrentIndex(tab.security.findData("starttls"))
    tab.port.setValue(smtpd.port)
    tab.verify_file.setChecked(True)
    tab.ca_file.setText(str(smtpd.certs.ca_file))
    tab.username.setText(LOGIN)
    tab.password.setText(PASSWORD)
    tab.from_address.setText("mfa@example.com")
    tab.from_name.setText("Help Désk")
    tab.apply_button.click()
    assert messages == []
    saved = services.mail.settings()
    assert (saved.server, saved.port, saved.verify) == ("127.0.0.1", smtpd.port, "ca-file")
    assert not saved.send_to_users
    assert services.secrets.get(PASSWORD_KEY) == PASSWORD
    assert tab.password.text() == "" and "keyring" in tab.password.placeholderText()

    tab.test_recipient.setText("admin@example.org")
    tab.test_button.click()
    qtbot.waitUntil(
        lambda: tab.test_button.isEnabled() and bool(tab.transcript.toPlainText()), timeout=10000
    )
    assert "accepted" in tab.test_result.text()
    assert PASSWORD not in tab.transcript.toPlainText()
    assert smtpd.capture.received[0].rcpt_tos == ["admin@example.org"]


def test_settings_tab_test_shows_the_error_in_words(
    qtbot: Any, services: Services, smtpd: SmtpServer
) -> None:
    configure(services, smtpd)
    pane = EmailPane(services)
    qtbot.addWidget(pane)
    tab = pane.settings_tab
    tab.password.setText("not-the-password")
    tab.test_recipient.setText("admin@example.org")
    tab.test_button.click()
    qtbot.waitUntil(lambda: "535" in tab.test_result.text(), timeout=10000)
    assert "username or password" in tab.test_result.text()
    assert "not-the-password" not in tab.transcript.toPlainText()


def test_invalid_settings_are_refused_with_a_message(
    qtbot: Any, services: Services, messages: list[Any]
) -> None:
    pane = EmailPane(services)
    qtbot.addWidget(pane)
    pane.settings_tab.from_address.setText("not an address")
    pane.settings_tab.apply_button.click()
    assert messages and messages[0].kind == "error"
    assert messages[0].text.startswith("From address: ")


def test_content_tab_flags_unknown_placeholders_saves_and_restores(
    qtbot: Any, services: Services, messages: list[Any]
) -> None:
    pane = EmailPane(services)
    qtbot.addWidget(pane)
    tab = pane.content_tab
    key = tab._current_key()
    tab.subject.setText("Welcome {{ nickname }}")
    assert "nickname" in tab.problems.text()
    assert not tab.save_button.isEnabled()
    tab.subject.setText("Welcome {{ first_name }}")
    assert tab.problems.text() == "" and tab.save_button.isEnabled()
    qtbot.waitUntil(lambda: "Welcome Jane" in tab.preview_subject.text(), timeout=3000)
    tab.picker.setCurrentRow(0)
    tab._on_picker_activated(tab.picker.currentItem())
    assert "{{ username }}" in tab.text_body.toPlainText()
    tab.save_button.click()
    stored = services.mail.template(key)
    assert stored.customized and stored.subject == "Welcome {{ first_name }}"
    assert "(edited)" in tab.list.currentItem().text()
    tab.restore_button.click()  # the messages fixture answers Yes
    assert not services.mail.template(key).customized
    assert tab.subject.text() != "Welcome {{ first_name }}"


def test_outbox_dialog_model_retry_discard_and_send(
    qtbot: Any, qtmodeltester: Any, mail_services: Services, smtpd: SmtpServer, messages: list[Any]
) -> None:
    ids = [add_user(mail_services, name) for name in ("hal", "ivy")]
    smtpd.capture.refuse.add("hal@example.com")
    with mail_services.db.write() as session:
        for user_id in ids:
            queue_for_user(session, user_id, "new")
    dialog = OutboxDialog(mail_services)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 2
    dialog.send_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert "Sent 1, failed 1" in messages[0].text
    assert "1 sent, 1 failed" in dialog.summary.text()
    failed_row = next(
        r for r in range(dialog.model.rowCount()) if dialog.model.entry(r).state == "failed"
    )
    reason = dialog.model.index(failed_row, 7).data()
    assert "550" in reason
    dialog.view.selectRow(failed_row)
    assert dialog.retry_button.isEnabled()
    dialog.retry_button.click()
    assert "1 waiting" in dialog.summary.text()
    dialog.view.selectAll()
    dialog.discard_button.click()
    assert dialog.model.rowCount() == 0
    qtmodeltester.check(OutboxTableModel())


def test_send_email_dialog_previews_then_queues_and_sends(
    qtbot: Any, mail_services: Services, smtpd: SmtpServer, messages: list[Any]
) -> None:
    ids = [add_user(mail_services, "jo", first_name="Jo"), add_user(mail_services, "kim")]
    dialog = SendEmailDialog(mail_services, ids)
    qtbot.addWidget(dialog)
    assert dialog.users.count() == 2
    assert "To: jo@example.com" in dialog.header.text()
    assert "Hello Jo," in dialog.text_view.toPlainText()
    assert dialog.send_button.isEnabled()
    dialog.send_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[0].text.startswith("Sent 2 messages")
    assert sorted(r.rcpt_tos[0] for r in smtpd.capture.received) == [
        "jo@example.com",
        "kim@example.com",
    ]


def test_send_email_dialog_sends_nothing_while_switch_is_off(
    qtbot: Any, services: Services, smtpd: SmtpServer
) -> None:
    configure(services, smtpd, send_to_users=False)
    dialog = SendEmailDialog(services, [add_user(services, "lee")])
    qtbot.addWidget(dialog)
    assert not dialog.send_button.isEnabled()
    assert "off" in dialog.banner.text()
    assert "Hello lee," in dialog.text_view.toPlainText()
