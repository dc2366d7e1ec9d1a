"""The directory and email steps: save and load round trip.

Both features are part of the console: an import error here is a bug and fails the test.
"""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core.directory.settings import PASSWORD_SECRET
from mfa_console.core.mail.settings import PASSWORD_KEY
from mfa_console.ui.wizards.page_directory import DirectoryPage
from mfa_console.ui.wizards.page_email import EmailPage


def test_directory_step_round_trip(services: Services, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = DirectoryPage(services)
    qtbot.addWidget(page)
    page.load()
    form = page.connection
    form.servers.setText("ldaps://dc1.example.test ldaps://dc2.example.test")  # spaces or ;
    form.bind_dn.setText("cn=reader,dc=example,dc=test")
    form.base_dn.setText("dc=example,dc=test")
    form.password.setText("bind-secret-5e1")
    page.save()
    again = DirectoryPage(services)
    qtbot.addWidget(again)
    again.load()
    assert again.connection.servers.text() == "ldaps://dc1.example.test; ldaps://dc2.example.test"
    assert again.connection.base_dn.text() == "dc=example,dc=test"
    assert services.secrets.get(PASSWORD_SECRET) == "bind-secret-5e1"
    services.secrets.delete(PASSWORD_SECRET)


def test_email_step_round_trip(services: Services, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = EmailPage(services)
    qtbot.addWidget(page)
    page.load()
    form = page.server_form
    form.server.setText("smtp.example.test")
    form.port.setValue(2525)
    form.from_address.setText("mfa@example.test")
    form.username.setText("mailer")
    form.password.setText("smtp-secret-7a2")
    page.save()
    again = EmailPage(services)
    qtbot.addWidget(again)
    again.load()
    assert (again.server_form.server.text(), again.server_form.port.value()) == (
        "smtp.example.test",
        2525,
    )
    assert services.secrets.get(PASSWORD_KEY) == "smtp-secret-7a2"
    services.secrets.delete(PASSWORD_KEY)
