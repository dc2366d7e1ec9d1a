"""File > Back Up... and File > Restore... in the main window, and the application log."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from mfa_console.app import Services
from mfa_console.core import logs
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import backup_actions
from mfa_console.ui.main_window import MainWindow


def make_window(qtbot, services: Services) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


def test_menus_have_the_actions(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, services)
    file_items = [a.text() for a in window.menus["File"].actions()]
    for item in ("&Back Up...", "&Restore...", "Scheduled Bac&kups..."):
        assert item in file_items
    assert file_items[-1] == "E&xit"
    assert "Open &Log Folder" in [a.text() for a in window.menus["Help"].actions()]
    window.close()


def test_back_up_then_restore_from_the_menu(
    qtbot, small: Services, tmp_path: Path, messages
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, small)
    target = tmp_path / "menu.mfabackup"
    backup_actions.back_up_to(window, target)
    # run_task deletes its Task when done: wait for the outcome, not on the Task's signal.
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert messages[-1].title == "Backup complete" and target.exists()
    small.users.add(_extra())
    assert small.users.count()[0] == 6
    assert backup_actions.restore_from(window, target) is not None
    assert messages[-1].kind == "question"
    qtbot.waitUntil(lambda: messages[-1].kind != "question", timeout=20_000)
    assert messages[-1].title == "Restore complete", messages[-1]
    assert window.services is not small
    assert window.services.users.count()[0] == 5
    window.close()


def _extra():  # type: ignore[no-untyped-def]
    from mfa_console.core.users.records import UserInput

    return UserInput(username="frank", phone="4255550109")


def test_log_file_gets_errors_with_traceback_and_no_secrets(
    tmp_path: Path, monkeypatch, messages
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MFA_CONSOLE_LOG_DIR", str(tmp_path / "logs"))
    path = logs.setup_logging("test-kind")
    assert path == tmp_path / "logs" / "mfa-console-test-kind.log"
    try:
        logging.getLogger("mfa_console.test").info("bind with password=hunter2 done")
        from mfa_console.ui import launch

        try:
            raise ConsoleError("The directory is down.")
        except ConsoleError as exc:
            launch._crash_handler(type(exc), exc, exc.__traceback__)
        text = path.read_text(encoding="utf-8")
        assert "password=***" in text and "hunter2" not in text
        assert "Traceback (most recent call last)" in text and "The directory is down." in text
        assert messages[-1].kind == "error"
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "mfa_console_log", None) == str(path):
                root.removeHandler(handler)
                handler.close()


def test_schedule_dialog_saves_validated_settings(
    qtbot, services: Services, tmp_path: Path, messages
) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.backup import BackupScheduleSettings
    from mfa_console.ui.dialogs.backup_schedule import BackupScheduleDialog

    dialog = BackupScheduleDialog(services)
    qtbot.addWidget(dialog)
    dialog.enabled.setChecked(True)
    dialog.accept()  # no folder: refused with a message, dialog stays open
    assert messages[-1].kind == "warning" and "Folder: choose a folder" in messages[-1].detail
    dialog.folder.setText(str(tmp_path))
    dialog.keep.setValue(3)
    dialog.accept()
    saved = services.settings.load(BackupScheduleSettings)
    assert (saved.enabled, saved.folder, saved.keep) == (True, str(tmp_path), 3)
