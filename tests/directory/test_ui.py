"""The Directory Integration pane and the Import dialog with pytest-qt, against Samba AD."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from mfa_console.app import Services
from mfa_console.core.directory.records import DirectoryUser
from mfa_console.core.directory.settings import AD_FILTERS, LDAP_FILTERS, DirectorySettings
from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog
from mfa_console.ui.models.directory_users import DirectoryUserModel
from mfa_console.ui.panes.directory import DirectoryPane
from tests.services.samba_ad import SambaDC


def test_pane_saves_settings_and_password(qtbot, services: Services, messages):
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    tab = pane.settings_tab
    tab.servers.setText("ldaps://dc1.example.com; ldaps://dc2.example.com:3269")
    tab.base_dn.setText("DC=example,DC=com")
    tab.bind_dn.setText("svc@example.com")
    tab.password.setText("S3cret!")
    pane.filters_tab.user_filter.setText("(&(objectCategory=person)(department=IT))")
    pane.attributes_tab.fields["extension"].setText("otherTelephone")
    qtbot.mouseClick(pane.save_bar.save_button, Qt.MouseButton.LeftButton)
    assert messages == []
    saved = services.directory.load()
    assert saved.servers == ("ldaps://dc1.example.com", "ldaps://dc2.example.com:3269")
    assert saved.user_filter == "(&(objectCategory=person)(department=IT))"
    assert saved.attributes.extension == "otherTelephone"
    assert services.directory.password() == "S3cret!"
    assert tab.password.text() == "" and "keyring" in tab.password.placeholderText()


def test_pane_refuses_invalid_settings(qtbot, services: Services, messages):
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    pane.settings_tab.servers.setText("ldap://dc1.example.com")  # plain URL with LDAPS
    qtbot.mouseClick(pane.save_bar.save_button, Qt.MouseButton.LeftButton)
    assert messages[0].kind == "warning" and "Servers:" in messages[0].detail
    assert services.directory.load().servers == ()


def test_kind_switch_and_restore_defaults(qtbot, services: Services):
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    pane.settings_tab.use_ldap.setChecked(True)
    assert pane.filters_tab.user_filter.text() == LDAP_FILTERS["user_filter"]
    assert pane.attributes_tab.fields["unique_id"].text() == "entryUUID"
    pane.filters_tab.user_filter.setText("(uid=x*)")
    pane.attributes_tab.fields["email"].setText("otherMail")
    pane.settings_tab.use_ad.setChecked(True)  # edited: kept until Restore Defaults
    assert pane.filters_tab.user_filter.text() == "(uid=x*)"
    pane.filters_tab.restore_defaults()
    pane.attributes_tab.restore_defaults()
    assert pane.filters_tab.user_filter.text() == AD_FILTERS["user_filter"]
    assert pane.attributes_tab.fields["email"].text() == "mail"
    assert pane.attributes_tab.fields["unique_id"].text() == "objectGUID"


def test_test_button_shows_each_stage(
    qtbot, services: Services, ad_settings: DirectorySettings, samba_ad: SambaDC
):
    services.directory.save(ad_settings, samba_ad.admin_pw)
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    pane.settings_tab.password.setText("Wrong-password-1")  # typed, not saved: tested as typed
    qtbot.mouseClick(pane.settings_tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.test_dialog is not None, timeout=20_000)
    dialog = pane.test_dialog
    lines = [dialog.stages.item(i).text() for i in range(dialog.stages.count())]
    assert [line.split(" (")[0].split(":")[0] for line in lines] == [
        "Name resolution", "TCP", "TLS", "Bind", "Sample search",
    ]  # fmt: skip
    assert "52e" in lines[3]
    assert "failed" in dialog.verdict.text()
    assert services.directory.password() == samba_ad.admin_pw
    dialog.grab().save(str(qtbot_screens() / "directory-test.png"))


def qtbot_screens():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / "mfa-console-screens"
    path.mkdir(exist_ok=True)
    return path


def _find_child(item, text: str):
    for i in range(item.childCount()):
        if item.child(i).text(0).startswith(text):
            return item.child(i)
    return None


def test_import_dialog_browse_group_and_import(
    qtbot, services: Services, ad_settings: DirectorySettings, samba_ad: SambaDC, messages
):
    ou = samba_ad.create_ou("dlg")
    ou_name = ou.split(",")[0][3:]
    a = samba_ad.create_user("dlg.a", ou, given="Ann", sn="Dialog", telephoneNumber="425-555-0111")
    b = samba_ad.create_user("dlg.b", ou, given="Ben", sn="Dialog", mobile="bad")
    samba_ad.create_user("dlg.c", ou, given="Cid", sn="Dialog")
    inner = samba_ad.create_group(f"{ou_name}-inner", ou, [b])
    samba_ad.create_group(f"{ou_name}-outer", ou, [a, inner])
    services.directory.save(ad_settings, samba_ad.admin_pw)
    dialog = DirectoryImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()

    containers = dialog.tree.topLevelItem(0)
    domain = containers.child(0)
    domain.setExpanded(True)
    qtbot.waitUntil(lambda: _find_child(domain, ou_name) is not None, timeout=20_000)
    dialog.tree.setCurrentItem(_find_child(domain, ou_name))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=20_000)
    dialog.grab().save(str(qtbot_screens() / "directory-import.png"))

    groups = dialog.tree.topLevelItem(1)
    groups.setExpanded(True)
    qtbot.waitUntil(lambda: _find_child(groups, f"{ou_name}-outer") is not None, timeout=20_000)
    dialog.tree.setCurrentItem(_find_child(groups, f"{ou_name}-outer"))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=20_000)
    dialog.nested.setChecked(True)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=20_000)
    dialog.table.selectAll()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert messages[-1].text == "Import finished: 2 created, 0 updated, 0 unchanged, 0 skipped."
    assert "mobile phone left out" in messages[-1].detail
    assert services.users.find("dlg.a@example.test").phone == "+14255550111"


def test_import_dialog_search_and_nothing_selected(
    qtbot, services: Services, ad_settings: DirectorySettings, samba_ad: SambaDC, messages
):
    ou = samba_ad.create_ou("find")
    samba_ad.create_user("zed.findme", ou, given="Zed", sn="Findme")
    services.directory.save(ad_settings, samba_ad.admin_pw)
    dialog = DirectoryImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.search_edit.setText("Findme")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=20_000)
    assert dialog.model.user(0).username == "zed.findme@example.test"
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Select the users" in messages[-1].text


def test_import_dialog_reports_connection_errors(
    qtbot, services: Services, ad_settings: DirectorySettings, messages
):
    services.directory.save(ad_settings, "Wrong-password-1")
    dialog = DirectoryImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.search_edit.setText("x")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert messages[-1].kind == "error" and "52e" in messages[-1].text


def test_user_model_passes_modeltester(qtmodeltester):
    model = DirectoryUserModel()
    model.set_users(
        [
            DirectoryUser(directory_id="1", dn="cn=a", username="a", phones={"business": "1"}),
            DirectoryUser(directory_id="2", dn="cn=b", username="b", disabled=True),
        ]
    )
    qtmodeltester.check(model)
    assert dataclasses.is_dataclass(model.user(0))


def test_main_window_has_directory_pane_and_import_action(qtbot, services: Services, tmp_path):
    from PySide6.QtCore import QSettings

    from mfa_console.ui.main_window import MainWindow

    window = MainWindow(services, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert isinstance(window.show_pane("directory"), DirectoryPane)
    texts = [action.text() for action in window.menus["Tools"].actions()]
    assert "&Import from Active Directory..." in texts


def test_saving_without_tls_warns(qtbot, services: Services, messages):
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    tab = pane.settings_tab
    tab.servers.setText("ldap://dc1.example.com")
    tab.security.setCurrentIndex(tab.security.findData("none"))
    assert not tab.security_warning.isHidden()
    tab.base_dn.setText("DC=example,DC=com")
    tab.bind.setCurrentIndex(tab.bind.findData("anonymous"))
    assert not tab.password.isEnabled()
    qtbot.mouseClick(pane.save_bar.save_button, Qt.MouseButton.LeftButton)
    assert messages[-1].kind == "warning" and "not protected by TLS" in messages[-1].text
    assert services.directory.load().security == "none"


def test_one_save_bar_for_every_tab(qtbot, services: Services):
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    bar = pane.save_bar
    for index in range(pane.tabs.count()):
        pane.tabs.setCurrentIndex(index)
        assert not bar.save_button.isHidden() and not bar.save_button.isEnabled()
    pane.filters_tab.user_filter.setText("(objectClass=person)")
    assert bar.save_button.isEnabled() and bar.revert_button.isEnabled()
    bar.revert()
    assert pane.filters_tab.user_filter.text() == AD_FILTERS["user_filter"]
    assert not bar.save_button.isEnabled()
    pane.sync_tab.schedule.threshold.setValue(9)  # the schedule is saved by the same bar
    assert bar.save_button.isEnabled()


def test_pane_with_a_domain_and_no_servers_finds_the_controllers(
    qtbot, services: Services, messages, samba_ad: SambaDC, test_cas, make_dns
):
    dns = make_dns(
        srv=[("_ldap._tcp.dc._msdcs.example.test", "dc1.example.test", 389, 0, 100)],
        hosts=[("dc1.example.test", "127.0.0.1")],
    )
    pane = DirectoryPane(services)
    qtbot.addWidget(pane)
    pane.resize(900, 720)
    tab = pane.settings_tab
    tab.domain.setText("example.test")
    assert "from DNS" in tab.servers.placeholderText()
    tab.dns_server.setText(dns.address)
    tab.ca_file.setText(str(test_cas.trusted.ca_file))
    tab.bind_dn.setText(samba_ad.admin_upn)
    tab.password.setText(samba_ad.admin_pw)
    assert tab.attribute_scope.isChecked()  # the original's default
    tab.attribute_scope.setChecked(False)
    qtbot.mouseClick(pane.save_bar.save_button, Qt.MouseButton.LeftButton)
    assert messages == []
    saved = services.directory.load()
    assert saved.attribute_scope_queries is False
    assert (saved.servers, saved.domain, saved.base_dn) == ((), "example.test", samba_ad.base_dn)
    pane.grab().save(str(qtbot_screens() / "directory-settings-domain.png"))
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.test_dialog is not None, timeout=20_000)
    lines = [pane.test_dialog.stages.item(i).text() for i in range(pane.test_dialog.stages.count())]
    assert lines[0] == "Domain controllers of example.test (DNS): ldaps://dc1.example.test:636"
    assert len(lines) == 6 and "failed" not in pane.test_dialog.verdict.text(), lines
    pane.test_dialog.grab().save(str(qtbot_screens() / "directory-test-domain.png"))
    tab.use_ldap.setChecked(True)
    assert tab.domain.isHidden() and tab.dns_server.isHidden()
    assert not tab.attribute_scope.isEnabled()


def test_wizard_step_tests_what_is_typed_and_saves_a_domain(
    qtbot, services: Services, messages, samba_ad: SambaDC, test_cas, make_dns
):
    from mfa_console.ui.wizards.page_directory import DirectoryPage

    dns = make_dns(
        srv=[("_ldap._tcp.dc._msdcs.example.test", "localhost", 389, 0, 100)],
    )
    page = DirectoryPage(services)
    qtbot.addWidget(page)
    page.load()
    form = page.connection  # the Directory Integration pane's form
    form.domain.setText("example.test")
    form.dns_server.setText(dns.address)
    form.ca_file.setText(str(test_cas.trusted.ca_file))
    form.bind_dn.setText(samba_ad.admin_upn)
    form.password.setText("Wrong-password-1")
    assert page.tested is None and page.outcome() == "saved, not tested"
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_dialog is not None, timeout=20_000)
    lines = [page.test_dialog.stages.item(i).text() for i in range(page.test_dialog.stages.count())]
    assert lines[0].startswith("Domain controllers of example.test (DNS): ldaps://localhost:636")
    assert any("52e" in line for line in lines)  # the typed (wrong) password was tested
    assert page.tested is False and page.outcome() == "saved, test failed"
    page.resize(640, 420)
    page.grab().save(str(qtbot_screens() / "wizard-directory.png"))
    form.password.setText(samba_ad.admin_pw)
    assert page.tested is None  # edited since the Test
    page.test_dialog = None
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_dialog is not None, timeout=20_000)
    assert page.tested is True and page.outcome() == "saved and tested"
    assert page.save() == "Active Directory: controllers of example.test"
    saved = services.directory.load()
    assert (saved.servers, saved.base_dn) == ((), samba_ad.base_dn)
    assert services.directory.password() == samba_ad.admin_pw
    assert messages == []
