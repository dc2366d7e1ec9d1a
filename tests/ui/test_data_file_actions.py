"""A data file that cannot be opened: at start the console says why in words for a person and
offers to restore a backup over it or to open another data file; File > Open Data File...
switches the running console to another file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from mfa_console.app import Services, open_services
from mfa_console.core.users.records import UserInput
from mfa_console.ui import messages
from mfa_console.ui.data_file_actions import OPEN_ANOTHER, QUIT, RESTORE, open_at_start
from mfa_console.ui.main_window import MainWindow


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> tuple[list[messages.Message], list[str]]:
    """Boxes shown, and the buttons to press in the choices asked (in order)."""
    shown: list[messages.Message] = []
    press: list[str] = []

    def handler(_parent: object, message: messages.Message) -> bool | str:
        shown.append(message)
        return press.pop(0) if message.kind == "choice" else True

    monkeypatch.setattr(messages.MessageSink, "handler", staticmethod(handler))
    return shown, press


def _file_dialogs(monkeypatch: pytest.MonkeyPatch, save: Path | None, open_: Path | None) -> None:
    """The file the administrator picks in the file dialogs (modal: not the thing tested)."""
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(save or ""), ""))
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(open_ or ""), ""))
    )


def test_a_damaged_file_offers_restore_and_another_file_in_words_for_a_person(
    qtbot: QtBot,
    tmp_path: Path,
    answers: tuple[list[messages.Message], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown, press = answers
    damaged, other = tmp_path / "damaged.db", tmp_path / "other.db"
    damaged.write_bytes(b"")
    _file_dialogs(monkeypatch, save=other, open_=None)
    press.append(OPEN_ANOTHER)
    services = open_at_start(str(damaged))
    assert services is not None
    try:
        assert services.data_name == str(other)
    finally:
        services.close()
    (box,) = shown
    assert box.kind == "choice" and box.choices == (RESTORE, OPEN_ANOTHER, QUIT)
    assert "damaged" in box.text
    assert box.detail == "Restore it from a backup, or open another data file."
    assert "--" not in box.text + box.detail and "mfa-console" not in box.text + box.detail


def test_quit_leaves_the_damaged_file_as_it_was(
    qtbot: QtBot, tmp_path: Path, answers: tuple[list[messages.Message], list[str]]
) -> None:
    _shown, press = answers
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 50)
    press.append(QUIT)
    assert open_at_start(str(damaged)) is None
    assert damaged.read_bytes() == b"not a database at all" * 50


def test_a_backup_restored_over_the_damaged_file_opens(
    qtbot: QtBot,
    services: Services,
    data_file: Path,
    tmp_path: Path,
    answers: tuple[list[messages.Message], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown, press = answers
    for name in ("ann", "bob", "cy"):
        services.users.add(UserInput(f"{name}@example.com", enabled=False))
    backup = services.backup.create(tmp_path / "good.mfabackup").path
    services.close()
    data_file.write_bytes(b"\xff" * 8192)  # the disk failed
    _file_dialogs(monkeypatch, save=None, open_=backup)
    press.append(RESTORE)
    restored = open_at_start(str(data_file))
    assert restored is not None
    try:
        assert restored.users.count()[0] == 3
    finally:
        restored.close()
    assert [m.title for m in shown] == ["Cannot open the data file", "Restore complete"]
    assert "3 users restored" in shown[1].text and "kept as" in shown[1].detail


def test_open_data_file_from_the_file_menu(
    qtbot: QtBot,
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list,  # type: ignore[type-arg]
) -> None:
    other = tmp_path / "branch-office.db"
    opened = open_services(other)
    opened.users.add(UserInput("zed@example.com", enabled=False))
    opened.close()
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    _file_dialogs(monkeypatch, save=other, open_=None)
    action = next(a for a in window.menus["File"].actions() if a.text() == "&Open Data File...")
    action.trigger()
    assert window.services.data_name == str(other)
    assert window.windowTitle().endswith("branch-office.db")
    assert window.services.users.count()[0] == 1
    assert messages == []
