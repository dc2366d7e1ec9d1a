"""Does everything fit 1024x700 logical pixels at this scale factor? Run in its own process,
since ``QT_SCALE_FACTOR`` is read when the QApplication is made:

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.5 python -m tests.ui.scaling_probe DATA_FILE

Opens the main window at 1024x700 on DATA_FILE, shows every pane and each of its tabs, walks
every page of the configuration wizard and opens the main dialogs, then prints one JSON object:
``scale`` (the window's device pixel ratio), the ``panes``, ``wizard_pages`` and ``dialogs``
looked at, the ``messages`` that would have been shown, and the ``problems`` found (a window
that needs or grew past 1024x700, text cut short, a layout squeezed)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from mfa_console.app import Services, open_services
from tests.ui.fit_probe import (
    check_dialog,
    each_tab,
    problems_in,
    settle,
    walk_wizard,
    window_problems,
)

LIMIT = QSize(1024, 700)
DIALOG_LIMIT = QSize(1024, 660)  # room for a title bar and a panel


def main_dialogs(services: Services) -> dict[str, Callable[[], QDialog]]:
    from mfa_console.core.activation.client import CredentialCheck
    from mfa_console.ui.dialogs.about import AboutDialog
    from mfa_console.ui.dialogs.backup_schedule import BackupScheduleDialog
    from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog
    from mfa_console.ui.dialogs.move_to_postgres import MoveToPostgresDialog
    from mfa_console.ui.dialogs.oath_tokens import OathTokensDialog
    from mfa_console.ui.dialogs.outbox import OutboxDialog
    from mfa_console.ui.dialogs.radius_client import RadiusClientDialog
    from mfa_console.ui.dialogs.radius_target import RadiusTargetDialog
    from mfa_console.ui.dialogs.replication_group import ReplicationGroupDialog
    from mfa_console.ui.dialogs.send_email import SendEmailDialog
    from mfa_console.ui.dialogs.sync_item import SyncItemDialog
    from mfa_console.ui.dialogs.test_user import TestUserDialog
    from mfa_console.ui.dialogs.user_edit import UserEditDialog

    user = services.users.query().page(0, 1)[0]
    config = services.radius.config
    return {
        "Add User": lambda: UserEditDialog(services, None),
        "Edit User": lambda: UserEditDialog(services, user.id),
        "Test User": lambda: TestUserDialog(services, user.username),
        "Send Email": lambda: SendEmailDialog(services, [user.id]),
        "OATH Tokens": lambda: OathTokensDialog(services),
        "Import from Active Directory": lambda: DirectoryImportDialog(services),
        "Synchronization Item": lambda: SyncItemDialog(services),
        "Email Outbox": lambda: OutboxDialog(services),
        "RADIUS Client": lambda: RadiusClientDialog(config, None),
        "RADIUS Server": lambda: RadiusTargetDialog(config, None),
        "Replication Group": lambda: ReplicationGroupDialog(CredentialCheck("a", ()), "srv"),
        "Scheduled Backups": lambda: BackupScheduleDialog(services),
        "Move Data to PostgreSQL": lambda: MoveToPostgresDialog(services),
        "About": lambda: AboutDialog(services),
    }


def _record_messages() -> list[str]:
    """Message boxes are noted, not shown (a modal box would wait for a click)."""
    from mfa_console.ui import messages

    shown: list[str] = []

    def handler(_parent: QWidget | None, message: messages.Message) -> bool:
        shown.append(f"{message.title}: {message.text}")
        return False

    messages.MessageSink.handler = staticmethod(handler)  # type: ignore[assignment]
    return shown


def _panes(services: Services, report: dict[str, list[str]]) -> float:
    from mfa_console.ui.main_window import MainWindow
    from mfa_console.ui.panes.registry import PANES

    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    window.resize(LIMIT)
    window.show()
    for spec in PANES:
        pane = window.show_pane(spec.key)
        for tab, show in each_tab(pane):
            show()
            settle()
            where = f"pane {spec.title}" + (f"/{tab}" if tab else "")
            report["panes"].append(where)
            report["problems"] += window_problems(window, where, LIMIT)
            report["problems"] += problems_in(window, where)
    scale = window.devicePixelRatioF()
    window.close()
    return scale


def probe(data: Path) -> dict[str, object]:
    from mfa_console.ui.wizards.configuration import ConfigurationWizard

    app = QApplication.instance() or QApplication([])
    shown = _record_messages()
    services = open_services(data)
    report: dict[str, list[str]] = {"panes": [], "dialogs": [], "problems": []}
    try:
        scale = _panes(services, report)
        pages, found = walk_wizard(ConfigurationWizard(services), DIALOG_LIMIT)
        report["problems"] += found
        for name, make in main_dialogs(services).items():
            report["dialogs"].append(name)
            report["problems"] += check_dialog(make(), name, DIALOG_LIMIT)
    finally:
        services.close()
    del app
    return {**report, "scale": scale, "wizard_pages": pages, "messages": shown}


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1])), indent=1))
