"""The Activation pane against the real activation service: activate, choose a group, deactivate."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from mfa_console.app import Services
from mfa_console.core.activation.settings import TOKEN_KEY
from mfa_console.ui.panes.activation import ActivationPane
from tests.activation.conftest import RunningService


def _pane(services: Services, qtbot) -> ActivationPane:  # type: ignore[no-untyped-def]
    pane = ActivationPane(services)
    qtbot.addWidget(pane)
    pane.resize(600, 540)
    pane.show()
    return pane


def _activate(pane: ActivationPane, qtbot, email: str, password: str):  # type: ignore[no-untyped-def]
    pane.email_edit.setText(email)
    pane.password_edit.setText(password)
    pane.activate_button.click()
    qtbot.waitUntil(lambda: pane._dialog is not None and pane._dialog.isVisible(), timeout=10000)
    return pane._dialog


def test_activate_new_group_then_deactivate(
    configured: Services, activation_service: RunningService, qtbot, messages, shots, data_file
) -> None:  # type: ignore[no-untyped-def]
    pane = _pane(configured, qtbot)
    assert pane.url_edit.text() == activation_service.url
    pane.grab().save(str(shots / "activation-pane-unactivated.png"))
    creds = activation_service.credentials("pane@pane-new.test")

    dialog = _activate(pane, qtbot, creds.email, creds.password)
    assert dialog.new_radio.isChecked()  # the account has no group yet
    dialog.server_edit.setText("console-1")
    dialog.grab().save(str(shots / "replication-group-dialog.png"))
    dialog.accept()

    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[-1].kind == "info" and "activated" in messages[-1].text
    assert pane.fact_labels["Role"].text() == "Master"
    assert pane.fact_labels["Server name"].text() == "console-1"
    assert pane.password_edit.text() == ""
    assert configured.secrets.get(TOKEN_KEY)
    pane.grab().save(str(shots / "activation-pane-activated.png"))

    pane.deactivate_button.click()  # the messages fixture answers Yes
    qtbot.waitUntil(lambda: messages[-1].title == "Deactivate" and messages[-1].kind == "info")
    assert not configured.activation.status().activated
    assert configured.secrets.get(TOKEN_KEY) is None


def test_join_existing_group_as_subordinate(
    configured: Services, activation_service: RunningService, qtbot, messages
) -> None:  # type: ignore[no-untyped-def]
    store = activation_service.store()
    first = store.generate("team@join-pane.test")
    master = store.activate(first.email, first.password, "mfa-master", None)
    creds = activation_service.credentials("team@join-pane.test")
    pane = _pane(configured, qtbot)

    dialog = _activate(pane, qtbot, creds.email, creds.password)
    assert dialog.join_radio.isChecked()
    assert "mfa-master" in dialog.group_combo.currentText()
    dialog.accept()

    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert pane.fact_labels["Role"].text() == "Subordinate"
    assert str(master["group_id"]) in pane.fact_labels["Replication group"].text()


def test_wrong_password_says_so_and_stays_unactivated(
    configured: Services, activation_service: RunningService, qtbot, messages
) -> None:  # type: ignore[no-untyped-def]
    creds = activation_service.credentials("typo@example.test")
    pane = _pane(configured, qtbot)
    pane.email_edit.setText(creds.email)
    pane.password_edit.setText("not-the-password")
    pane.activate_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert (
        messages[-1].kind == "error" and "Wrong activation Email or Password" in messages[-1].text
    )
    assert pane.activate_button.isEnabled() and pane._dialog is None
    assert not configured.activation.status().activated


def test_service_settings_are_validated_in_core(services: Services, qtbot, messages) -> None:  # type: ignore[no-untyped-def]
    pane = _pane(services, qtbot)
    assert not pane.save_bar.save_button.isEnabled()
    pane.url_edit.setText("http://activation.example.test")
    pane.save_bar.save_button.click()
    assert messages[-1].kind == "warning" and "URL: must start with https://" in messages[-1].detail
    pane.url_edit.setText("https://activation.example.test:8443")
    pane.save_bar.save_button.click()
    assert not pane.save_bar.save_button.isEnabled()
    assert services.activation.service_settings().url == "https://activation.example.test:8443"


def test_console_opens_on_activation_pane_at_800x600(
    services: Services, window, qtbot, shots
) -> None:  # type: ignore[no-untyped-def]
    window.resize(800, 600)
    window.show()
    pane = window.show_pane("activation")
    QApplication.processEvents()
    assert pane.sizeHint().height() <= pane.height()
    assert window.grab().save(str(shots / "console-activation-800x600.png"))


def test_deactivate_with_service_down_offers_to_forget_locally(
    services: Services, qtbot, messages, free_port: int
) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.activation.settings import ActivationState

    services.secrets.set(TOKEN_KEY, "token-of-a-server-whose-service-is-gone")
    services.settings.save(
        ActivationState(
            activated=True,
            account="gone.test",
            group_id="grp-1",
            group_name="Replication group 1",
            role="master",
            server_name="mfa1",
            activated_at="2026-01-01T00:00:00+00:00",
            service_url=f"https://localhost:{free_port}",
        )
    )
    pane = _pane(services, qtbot)
    pane.deactivate_button.click()  # Yes to "Deactivate?", then Yes to "forget locally?"
    qtbot.waitUntil(lambda: messages[-1].kind == "info", timeout=10000)  # the task is done
    assert not services.activation.status().activated
    questions = [m for m in messages if m.kind == "question"]
    assert len(questions) == 2 and f"localhost port {free_port}" in questions[1].text
    assert services.secrets.get(TOKEN_KEY) is None


def test_group_dialog_needs_a_group_to_join(qtbot, messages) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.activation.client import CredentialCheck, GroupInfo
    from mfa_console.ui.dialogs.replication_group import ReplicationGroupDialog

    dialog = ReplicationGroupDialog(CredentialCheck("acme.test", ()), "mfa1")
    qtbot.addWidget(dialog)
    dialog.join_radio.setChecked(True)
    dialog.accept()
    assert messages[-1].kind == "warning" and dialog.result() == 0
    dialog.group_combo.setEditText("grp-typed")
    assert dialog.join_group() == "grp-typed"

    listed = ReplicationGroupDialog(
        CredentialCheck("acme.test", (GroupInfo("grp-1", "Replication group 1", "mfa0"),)), "mfa1"
    )
    qtbot.addWidget(listed)
    assert listed.join_radio.isChecked() and listed.join_group() == "grp-1"
    listed.new_radio.setChecked(True)
    assert listed.join_group() is None
