"""The settings forms from the keyboard: every label's mnemonic reaches an input, and no letter is
used twice among the visible widgets of the window (menu bar and wizard buttons included)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from mfa_console.app import Services
from mfa_console.ui.dialogs.backup_schedule import BackupScheduleDialog
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.wizards.configuration import SKIP_STEP, ConfigurationWizard
from tests.forms.mnemonics import clashes, container_buddies

FORM_PANES = ("company", "directory", "email", "activation")


@pytest.mark.parametrize("key", FORM_PANES)
def test_form_panes_have_unique_mnemonics(qtbot: Any, services: Services, tmp_path, key) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(services, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    pane = window.show_pane(key)
    tabs = getattr(pane, "tabs", None)
    for index in range(tabs.count() if tabs is not None else 1):
        if tabs is not None:
            tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert clashes(window) == {}, (key, index)
        assert container_buddies(window) == []


def test_wizard_steps_have_unique_mnemonics(qtbot: Any, services: Services) -> None:
    wizard = ConfigurationWizard(services)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    while wizard.currentPage() is not wizard.finish:
        QApplication.processEvents()
        assert clashes(wizard) == {}, wizard.currentPage().title()
        assert container_buddies(wizard) == []
        wizard.button(SKIP_STEP).click()


def test_backup_schedule_dialog_has_unique_mnemonics(qtbot: Any, services: Services) -> None:
    dialog = BackupScheduleDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    assert clashes(dialog) == {} and container_buddies(dialog) == []


def test_a_label_mnemonic_focuses_its_input(qtbot: Any, services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window = MainWindow(services, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    email = window.show_pane("email")
    form = email.settings_tab.form
    form.port.setFocus()
    assert QApplication.focusWidget() is form.port
    for letter, field in (("R", form.from_address), ("E", form.username), ("V", form.server)):
        key = getattr(Qt.Key, f"Key_{letter}")
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is field, letter
    company = window.show_pane("company")
    company.form.pin_history.setFocus()
    assert QApplication.focusWidget() is company.form.pin_history
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is company.form.company_name
