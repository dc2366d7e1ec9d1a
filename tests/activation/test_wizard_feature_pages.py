"""The directory and email steps: save and load round trip.

Both features are part of the console: an import error here is a bug and fails the test.
"""

from __future__ import annotations

from mfa_console.app import Services


def test_directory_step_round_trip(services: Services, qtbot) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.ui.wizards.page_directory import PASSWORD_KEY, DirectoryPage

    page = DirectoryPage(services)
    qtbot.addWidget(page)
    page.load()
    page.servers_edit.setText("ldaps://dc1.example.test ldaps://dc2.example.test")
    page.bind_dn_edit.setText("cn=reader,dc=example,dc=test")
    page.base_dn_edit.setText("dc=example,dc=test")
    page.password_edit.setText("bind-secret-5e1")
    page.save()
    again = DirectoryPage(services)
    qtbot.addWidget(again)
    again.load()
    assert again.servers_edit.text() == "ldaps://dc1.example.test ldaps://dc2.example.test"
    assert again.base_dn_edit.text() == "dc=example,dc=test"
    assert services.secrets.get(PASSWORD_KEY) == "bind-secret-5e1"
    services.secrets.delete(PASSWORD_KEY)


def test_email_step_round_trip(services: Services, qtbot) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.ui.wizards.page_email import PASSWORD_KEY, EmailPage

    page = EmailPage(services)
    qtbot.addWidget(page)
    page.load()
    page.server_edit.setText("smtp.example.test")
    page.port_spin.setValue(2525)
    page.from_edit.setText("mfa@example.test")
    page.password_edit.setText("smtp-secret-7a2")
    page.save()
    again = EmailPage(services)
    qtbot.addWidget(again)
    again.load()
    assert (again.server_edit.text(), again.port_spin.value()) == ("smtp.example.test", 2525)
    assert services.secrets.get(PASSWORD_KEY) == "smtp-secret-7a2"
    services.secrets.delete(PASSWORD_KEY)
