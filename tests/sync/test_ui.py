"""The Synchronization tab, the Add Synchronization Item dialog and the history models (pytest-qt),
with real runs against slapd."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt

from mfa_console.app import Services
from mfa_console.core.sync.items import SyncItem
from mfa_console.ui.dialogs.sync_item import SyncItemDialog
from mfa_console.ui.models.sync_history import SyncChangesModel, SyncRunsModel
from mfa_console.ui.panes.directory_sync_tab import SyncTab
from tests.services.fixtures import TestCAs
from tests.services.slapd import SlapdServer
from tests.sync.conftest import configure_ldap, set_sync


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_settings_need_an_item_and_are_saved(qtbot, services: Services, messages) -> None:
    from mfa_console.ui.panes.directory import DirectoryPane

    pane = DirectoryPane(services)  # the schedule is saved by the pane's Save bar
    qtbot.addWidget(pane)
    tab, bar = pane.sync_tab, pane.save_bar
    schedule = tab.schedule
    assert not tab.sync_button.isEnabled() and tab.banner.isHidden()
    assert not bar.save_button.isEnabled()
    schedule.enabled.setChecked(True)
    _click(qtbot, bar.save_button)
    assert messages[-1].kind == "warning"
    assert "Enable synchronization: add a synchronization item first" in messages[-1].detail
    services.sync.items.add(SyncItem(scope="container", dn="ou=a,dc=example,dc=test"))
    tab.reload()
    schedule.enabled.setChecked(True)
    schedule.interval_unit.setCurrentIndex(1)
    schedule.interval.setValue(2)
    schedule.threshold.setValue(40)
    schedule.remove_missing.setChecked(True)
    _click(qtbot, bar.save_button)
    saved = services.sync.settings()
    assert (saved.enabled, saved.interval_minutes, saved.approval_threshold) == (True, 120, 40)
    assert saved.remove_missing and not bar.save_button.isEnabled()
    assert "Next run" in tab.status.text()


def test_item_dialog_adds_then_applies_edits(qtbot, services: Services, messages) -> None:
    dialog = SyncItemDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.save_button.text() == "&Add"
    assert [dialog.tabs.tabText(i) for i in range(3)] == [
        "&Settings",
        "&Method Defaults",
        "&Language Defaults",
    ]
    dialog.group.setChecked(True)
    dialog.dn.setText("cn=mfa,ou=groups,dc=example,dc=test")
    dialog.nested.setChecked(True)
    dialog.backup_phone.setCurrentIndex(dialog.backup_phone.findData("mobile"))
    dialog.enable_policy.setCurrentIndex(dialog.enable_policy.findData("new-with-phone"))
    dialog.method.setCurrentIndex(dialog.method.findData("text-message"))
    dialog.mode.setCurrentIndex(dialog.mode.findData("two-way-otp"))
    dialog.languages["text-message"].setCurrentIndex(
        dialog.languages["text-message"].findData("fr")
    )
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.saved is not None)
    # No directory is set up: the group could not be checked, so it is added with a warning.
    assert [m.kind for m in messages] == ["warning"] and "not checked" in messages[0].text
    added = services.sync.items.list()[0]
    assert (added.scope, added.nested, added.mode, added.backup_phone_attribute) == (
        "group",
        True,
        "two-way-otp",
        "mobile",
    )
    assert added.languages == {"text-message": "fr"}

    edit = SyncItemDialog(services, added)
    qtbot.addWidget(edit)
    assert (edit.save_button.text(), edit.close_button.text()) == ("&Apply", "Close")
    edit.removed_check.setChecked(False)
    edit.dn.setText("not a dn")
    _click(qtbot, edit.save_button)
    assert messages[-1].kind == "error" and "distinguished name" in messages[-1].text
    edit.dn.setText("cn=other,ou=groups,dc=example,dc=test")
    _click(qtbot, edit.save_button)
    qtbot.waitUntil(lambda: services.sync.items.get(added.id or 0).on_removed == "none")
    _click(qtbot, edit.close_button)
    assert edit.result() == edit.DialogCode.Accepted


def test_remove_confirms_and_moves_reorder(qtbot, services: Services, messages) -> None:
    for name in ("a", "b", "c"):
        services.sync.items.add(SyncItem(scope="container", dn=f"ou={name},dc=example,dc=test"))
    tab = SyncTab(services)
    qtbot.addWidget(tab)
    tab.items.setCurrentItem(tab.items.topLevelItem(2))
    assert not tab.down_button.isEnabled()
    _click(qtbot, tab.up_button)
    assert [i.dn[3] for i in services.sync.items.list()] == ["a", "c", "b"]
    _click(qtbot, tab.remove_button)
    assert messages[-1].kind == "question" and "cannot be undone" in messages[-1].text
    assert [i.dn[3] for i in services.sync.items.list()] == ["a", "b"]


def test_synchronize_now_runs_off_the_gui_thread_and_prompts_for_approval(
    qtbot, services: Services, messages, slapd: SlapdServer, test_cas: TestCAs
) -> None:
    configure_ldap(services, slapd, test_cas)
    ou = slapd.add_ou(f"u{uuid.uuid4().hex[:8]}")
    dns = [slapd.add_user(f"gui{i}", ou) for i in range(3)]
    services.sync.items.add(SyncItem(scope="container", dn=ou))
    set_sync(services, approval_threshold=1)
    tab = SyncTab(services)
    qtbot.addWidget(tab)

    _click(qtbot, tab.preview_button)
    qtbot.waitUntil(lambda: tab.task is None and bool(messages), timeout=30_000)
    assert messages[-1].title == "Preview Changes" and "Nothing was changed" in messages[-1].text
    assert services.users.count() == (0, 0)

    _click(qtbot, tab.sync_button)
    assert not tab.sync_button.isEnabled()  # busy while the worker runs
    qtbot.waitUntil(lambda: tab.task is None, timeout=30_000)
    assert services.users.count() == (3, 3)
    assert tab.history.runs.rowCount() == 1 and tab.history.changes.rowCount() == 3

    for dn in dns[:2]:
        slapd.delete(dn)
    messages.clear()
    _click(qtbot, tab.sync_button)
    qtbot.waitUntil(lambda: tab.task is None, timeout=30_000)
    assert messages[-1].title == "Approve Synchronization"  # answered Yes by the fixture
    assert services.users.count() == (3, 1)
    assert tab.banner.isHidden()


def test_history_models_and_csv_export(
    qtbot,
    qtmodeltester,
    services: Services,
    messages,
    slapd: SlapdServer,
    test_cas: TestCAs,
    tmp_path: Path,
) -> None:
    configure_ldap(services, slapd, test_cas)
    ou = slapd.add_ou(f"h{uuid.uuid4().hex[:8]}")
    for i in range(7):
        slapd.add_user(f"hist{i}", ou)
    services.sync.items.add(SyncItem(scope="container", dn=ou))
    run = services.sync.run(full=True)
    runs = SyncRunsModel()
    runs.set_runs(services.sync.history.runs())
    qtmodeltester.check(runs)
    changes = SyncChangesModel(services.sync.history)
    changes.show_run(run.run_id)
    qtmodeltester.check(changes)
    assert changes.rowCount() == 7

    tab = SyncTab(services)
    qtbot.addWidget(tab)
    target = tmp_path / "history.csv"
    tab.history.export_to(str(target))
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "Exported 7 changes" in messages[-1].text
    assert target.read_text().count("\n") == 8


def test_gui_answers_while_a_large_sync_runs(
    qtbot, services: Services, messages, make_slapd, test_cas: TestCAs
) -> None:
    from PySide6.QtCore import QTimer

    from tests.services.slapd import PEOPLE, users_ldif

    server = make_slapd(preload=users_ldif(10_000))
    configure_ldap(services, server, test_cas)
    services.sync.items.add(SyncItem(scope="container", dn=PEOPLE))
    tab = SyncTab(services)
    qtbot.addWidget(tab)
    ticks: list[int] = []
    timer = QTimer(tab)
    timer.timeout.connect(lambda: ticks.append(1) if tab.task is not None else None)
    timer.start(10)

    task = tab.start_run(dry_run=False)
    progress: list[int] = []
    task.progressed.connect(lambda done, _total, _text: progress.append(done))
    qtbot.waitUntil(lambda: tab.task is None, timeout=120_000)

    assert services.users.count() == (10_000, 10_000)
    assert len(ticks) > 1  # the event loop kept running while the worker synchronized
    assert progress and max(progress) >= 1000  # progress reached the GUI thread
