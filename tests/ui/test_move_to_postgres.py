"""File > Move Data to PostgreSQL...: from the menu, into a real empty database, then a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from mfa_console.app import Services, open_services
from mfa_console.core.users.records import UserInput
from mfa_console.ui.dialogs.move_to_postgres import MoveToPostgresDialog
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.tasks import wait_for_tasks
from tests.services.postgres import PostgresServer

pytestmark = pytest.mark.postgresql


def test_move_from_the_file_menu(
    qtbot: QtBot,
    services: Services,
    postgres: PostgresServer,
    tmp_path: Path,
    messages: list,  # type: ignore[type-arg]
) -> None:
    for name in ("ann", "bob"):
        services.users.add(UserInput(f"{name}@example.com", enabled=False))
    window = MainWindow(services, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    titles = [action.text() for action in window.menus["File"].actions()]
    assert "&Move Data to PostgreSQL..." in titles
    name = postgres.new_database(empty=True)
    try:
        dialog = MoveToPostgresDialog(services, window)
        dialog.url.setText(postgres.url(name))
        dialog.start()
        assert wait_for_tasks(60)
        assert [m.title for m in messages] == ["Data moved to PostgreSQL"]
        assert "2 users" in messages[0].text
        moved = open_services(postgres.url(name))
        assert moved.users.count() == (2, 0)
        moved.close()
    finally:
        postgres.drop(name)
