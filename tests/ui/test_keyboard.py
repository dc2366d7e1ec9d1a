"""Keyboard use of every pane, dialog and guided-setup page: unique mnemonics (not shared with
the menu bar or the wizard's buttons), labels whose Alt+letter reaches an input, first field
focused, Enter in search fields, Escape clearing the Users search."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget, QWizard
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.core.activation.client import CredentialCheck
from mfa_console.core.users.records import UserInput
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.registry import PANES
from tests.ui.keyboard import assert_keyboard_ok


def _each_tab(window: QWidget, check: Callable[[str], None]) -> None:
    """Run ``check`` once as shown, then once per tab of every visible tab widget."""
    check("")
    for tabs in [t for t in window.findChildren(QTabWidget) if t.isVisibleTo(window)]:
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            check(tabs.tabText(index))


def test_every_pane_has_unique_mnemonics_apart_from_the_menus(
    qtbot: QtBot, services: Services
) -> None:
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    for spec in PANES:
        window.show_pane(spec.key)
        _each_tab(window, lambda _tab: assert_keyboard_ok(window))


def _dialogs(services: Services) -> dict[str, Callable[[], QDialog]]:
    from mfa_console.ui.dialogs.backup_schedule import BackupScheduleDialog
    from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog
    from mfa_console.ui.dialogs.directory_picker import DirectoryPickerDialog
    from mfa_console.ui.dialogs.outbox import OutboxDialog
    from mfa_console.ui.dialogs.replication_group import ReplicationGroupDialog
    from mfa_console.ui.dialogs.send_email import SendEmailDialog
    from mfa_console.ui.dialogs.sync_item import SyncItemDialog
    from mfa_console.ui.dialogs.user_edit import UserEditDialog

    user = services.users.add(UserInput(username="alice", phone="5551234567")).id
    return {
        "add user": lambda: UserEditDialog(services, None),
        "edit user": lambda: UserEditDialog(services, user),
        "sync item": lambda: SyncItemDialog(services),
        "directory import": lambda: DirectoryImportDialog(services),
        "directory picker": lambda: DirectoryPickerDialog(services, "container"),
        "send email": lambda: SendEmailDialog(services, [user]),
        "outbox": lambda: OutboxDialog(services),
        "backup schedule": lambda: BackupScheduleDialog(services),
        "replication group": lambda: ReplicationGroupDialog(CredentialCheck("a", ()), "srv"),
    }


FIRST_FIELD = {"add user": "username", "edit user": "username"}


def test_every_dialog_has_unique_mnemonics_and_focus_in_a_field(
    qtbot: QtBot,
    services: Services,
    messages: list,  # type: ignore[type-arg]
) -> None:
    for name, make in _dialogs(services).items():
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda d=dialog: QApplication.focusWidget() is not None, timeout=3000)  # type: ignore[misc]
        focused = QApplication.focusWidget()
        assert focused is not None and focused.window() is dialog, name
        assert focused.focusPolicy() != Qt.FocusPolicy.NoFocus, name
        if name in FIRST_FIELD:
            assert focused.objectName() == FIRST_FIELD[name]
        _each_tab(dialog, lambda _tab, d=dialog: assert_keyboard_ok(d))  # type: ignore[misc]
        dialog.close()


def test_every_guided_setup_page_has_unique_mnemonics_with_the_wizard_buttons(
    qtbot: QtBot, services: Services
) -> None:
    from mfa_console.ui.wizards.configuration import ConfigurationWizard

    ids = ConfigurationWizard(services).pageIds()
    for page_id in ids:
        wizard = ConfigurationWizard(services)
        qtbot.addWidget(wizard)
        wizard.setStartId(page_id)
        wizard.show()
        # Reached with Next, a page also shows Back; the last one shows Finish.
        back = () if page_id == ids[0] else (wizard.buttonText(QWizard.WizardButton.BackButton),)
        assert_keyboard_ok(wizard, back)
        wizard.close()


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    services.users.add(UserInput(username="bob", phone="5551234567"))
    win = MainWindow(services, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_ctrl_n_then_typing_fills_the_username(qtbot: QtBot, window: MainWindow) -> None:
    from mfa_console.ui.dialogs.user_edit import UserEditDialog

    pane = window.show_pane("users")
    pane.table.setFocus()  # type: ignore[attr-defined]
    typed: list[str] = []

    def type_into_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        target = QApplication.focusWidget()
        if (
            not isinstance(dialog, UserEditDialog)
            or target is None
            or target.window() is not dialog
        ):
            QTimer.singleShot(20, type_into_dialog)  # the dialog is not up and active yet
            return
        qtbot.keyClicks(target, "carol")  # where the focus is, as a person types
        typed.append(dialog.username.text())
        dialog.reject()

    QTimer.singleShot(0, type_into_dialog)
    qtbot.keyClick(pane.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(typed), timeout=5000)
    assert typed == ["carol"]


def test_escape_clears_the_users_search(qtbot: QtBot, window: MainWindow) -> None:
    pane = window.show_pane("users")
    search = pane.search  # type: ignore[attr-defined]
    search.setFocus()
    qtbot.keyClicks(search, "bo")
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""


def test_enter_in_the_import_find_box_searches_and_does_not_import(
    qtbot: QtBot,
    services: Services,
    messages: list,  # type: ignore[type-arg]
) -> None:
    from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog
    from mfa_console.ui.tasks import wait_for_tasks

    dialog = DirectoryImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.search_edit.setFocus()
    qtbot.keyClicks(dialog.search_edit, "ann")
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert wait_for_tasks(10)
    assert dialog.isVisible()
    # No directory is configured: the search says so, once; Import was not pressed.
    assert [m.title for m in messages] == [dialog.windowTitle()]
    assert "Select the users to import" not in messages[0].text
