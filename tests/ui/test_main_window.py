"""The main window: every pane opens, state is remembered, menus, About, screenshots, CSV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.registry import PANES, pane_spec


def _window(qtbot: QtBot, services: Services, state_file: Path) -> MainWindow:
    window = MainWindow(services, QSettings(str(state_file), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    return window


def test_every_pane_opens_and_says_what_it_is(
    qtbot: QtBot, services: Services, tmp_path: Path, messages: list
) -> None:  # type: ignore[type-arg]
    window = _window(qtbot, services, tmp_path / "state.ini")
    window.show()
    for spec in PANES:
        pane = window.show_pane(spec.key)
        assert pane.isVisible()
        assert window.current_pane_key == spec.key
    assert messages == []
    assert [a.text() for a in window.menus["File"].actions()][-1] == "E&xit"
    assert set(window.menus) == {"File", "Tools", "Help"}


def test_last_pane_and_geometry_are_remembered(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    state = tmp_path / "state.ini"
    first = _window(qtbot, services, state)
    first.show()
    first.resize(780, 560)  # fits the offscreen platform's 800x600 screen
    qtbot.waitUntil(lambda: first.width() == 780)
    first.show_pane("company")
    first.close()
    second = _window(qtbot, services, state)
    second.show()
    assert second.current_pane_key == "company"
    assert (second.width(), second.height()) == (780, 560)


def test_pane_names_for_the_command_line() -> None:
    assert pane_spec("Company Settings").key == "company"
    assert pane_spec("users").key == "users"


def test_about_lists_version_data_file_and_licences(qtbot: QtBot, services: Services) -> None:
    from mfa_console.ui.dialogs.about import AboutDialog, dependency_licences

    dialog = AboutDialog(services)
    qtbot.addWidget(dialog)
    names = {name for name, _, _ in dependency_licences()}
    assert {"SQLAlchemy", "ldap3", "keyring"} <= names
    assert all(licence for _, _, licence in dependency_licences())


def test_csv_import_and_export_off_the_gui_thread(
    qtbot: QtBot, services: Services, tmp_path: Path, messages: list
) -> None:  # type: ignore[type-arg]
    from mfa_console.ui import users_csv

    window = _window(qtbot, services, tmp_path / "state.ini")
    source = tmp_path / "in.csv"
    source.write_text("username,enabled\na@example.com,false\nb@example.com,perhaps\n")
    with qtbot.waitSignal(window.users_changed, timeout=10_000):
        users_csv.start_import(window, services, source)  # a refused row: the question first
    qtbot.waitUntil(lambda: len(messages) == 2)
    assert messages[0].kind == "question" and "Skip the refused rows" in messages[0].text
    assert "Line 3" in messages[0].detail
    assert messages[1].kind == "warning" and "1 created" in messages[1].text  # answered Yes
    services.users.add(UserInput("c@example.com", enabled=False))
    users_csv.start_export(window, services, tmp_path / "out.csv")
    qtbot.waitUntil(lambda: len(messages) == 3, timeout=10_000)
    assert "Exported 2 users" in messages[2].text
    excel = tmp_path / "excel.csv"
    excel.write_bytes("username,first_name,enabled\r\nz@example.com,Zoë,false\r\n".encode("cp1252"))
    with qtbot.waitSignal(window.users_changed, timeout=10_000):
        users_csv.start_import(window, services, excel)
    qtbot.waitUntil(lambda: len(messages) == 5)
    assert messages[3].kind == "question" and "cp1252" in messages[3].text
    assert services.users.find("z@example.com").first_name == "Zoë"


def test_screenshot_option_renders_a_png(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(tmp_path / "d.db"),
         "--screenshot", str(out), "--pane", "company", "--size", "1000x700"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
    bad = subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(tmp_path / "d.db"),
         "--screenshot", str(out), "--pane", "nowhere"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "unknown pane" in bad.stderr
