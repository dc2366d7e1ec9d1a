"""The RADIUS Authentication pane, its dialogs, and Company Settings > Username Resolution."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mfa_console.core.db.lease import Lease
from mfa_console.core.resolution import OathPrompt, UsernameResolution
from mfa_console.ui.dialogs.radius_client import RadiusClientDialog
from mfa_console.ui.dialogs.radius_target import RadiusTargetDialog
from mfa_console.ui.panes.company_settings import CompanySettingsPane
from mfa_console.ui.panes.radius import RadiusPane
from tests.radius.conftest import SECRET, RadiusEnv


def test_clients_targets_save_and_listening_status(
    qtbot: Any, radius: RadiusEnv, messages: list[Any]
) -> None:
    services = radius.services
    radius.configure(enabled=False)
    pane = RadiusPane(services)
    qtbot.addWidget(pane)
    assert "off" in pane.status.text()

    dialog = RadiusClientDialog(services.radius.config, None, pane)
    dialog.address.setText("127.0.0.1")
    dialog.name.setText("Office VPN")
    dialog.secret.setText("short")
    dialog.accept()  # refused: kept open with the reason
    assert messages[-1].detail.startswith("secret:")
    dialog.secret.setText(SECRET)
    dialog.authenticator.setChecked(False)
    assert not dialog.warning.isHidden()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    pane.clients_tab.reload_clients()
    assert pane.clients_tab.table.item(0, 1).text() == "Office VPN"
    assert pane.clients_tab.table.item(0, 5).text() == "NOT REQUIRED"

    for host in ("10.0.0.1", "10.0.0.2"):
        target = RadiusTargetDialog(services.radius.config, None, pane)
        target.host.setText(host)
        target.secret.setText("upstream-secret")
        target.accept()
    pane.target_tab.reload_servers()
    pane.target_tab.servers.setCurrentRow(0)
    pane.target_tab.move_server(1)
    assert [t.host for t in services.radius.config.targets()] == ["10.0.0.2", "10.0.0.1"]

    assert not pane.save_bar.save_button.isEnabled()  # the lists saved on their dialogs' OK
    pane.form.enabled.setChecked(True)
    pane.target_tab.radios["none"].setChecked(True)
    assert pane.save_bar.save_button.isEnabled()
    assert pane.save_bar.save()
    assert not pane.save_bar.save_button.isEnabled()
    assert services.radius.settings().enabled and services.radius.settings().target == "none"
    radius.start()
    with Lease(services.db, "service", timedelta(minutes=2)):  # the service's heartbeat
        pane.show_status()
    text = pane.status.text()
    assert f"Listening on 127.0.0.1:{radius.auth_port} (authentication)" in text
    assert "BlastRADIUS" in text


def test_username_resolution_tab(qtbot: Any, services: Any) -> None:
    pane = CompanySettingsPane(services)
    qtbot.addWidget(pane)
    tab = pane.resolution_tab
    assert not pane.save_bar.save_button.isEnabled()
    tab.suffix.setText("contoso.com")
    tab.prompt.setText("Code, please:")
    assert pane.save_bar.save_button.isEnabled()
    assert pane.save_bar.save()
    resolution = services.settings.load(UsernameResolution)
    assert resolution.upn_suffix == "contoso.com"
    assert services.settings.load(OathPrompt).prompt == "Code, please:"
    assert resolution.candidates("CONTOSO\\jdoe") == [
        "CONTOSO\\jdoe", "jdoe", "jdoe@contoso.com",
    ]  # fmt: skip
    tab.prompt.setText("")
    problem = tab.check()
    assert problem is not None and "rompt" in str(problem)
