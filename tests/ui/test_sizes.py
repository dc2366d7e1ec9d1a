"""Everything fits a 1024x700 window: panes, their tabs, dialogs and guided-setup pages."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.registry import PANES
from tests.ui.fit_probe import check_dialog, each_tab, walk_wizard
from tests.ui.test_keyboard import _dialogs

SMALL = QSize(1024, 700)
DIALOG_LIMIT = QSize(1024, 660)  # room for a title bar and a panel


def test_every_pane_renders_at_1024x700_without_growing_the_window(
    qtbot: QtBot, services: Services
) -> None:
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(SMALL)
    window.show()
    for spec in PANES:
        pane = window.show_pane(spec.key)
        for tab, show in each_tab(pane):
            show()
            QApplication.processEvents()
            assert window.size() == SMALL, (spec.key, tab, window.size())
            assert not pane.grab().isNull()
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert minimum.width() <= 1000 and minimum.height() <= 640, minimum


def test_every_dialog_fits_1024x700(
    qtbot: QtBot,
    services: Services,
    messages: list,  # type: ignore[type-arg]
) -> None:
    for name, make in _dialogs(services).items():
        dialog = make()
        qtbot.addWidget(dialog)
        assert check_dialog(dialog, name, DIALOG_LIMIT) == []


def test_every_guided_page_fits_1024x700_without_the_wizard_growing(
    qtbot: QtBot, services: Services
) -> None:
    from mfa_console.ui.wizards.configuration import ConfigurationWizard

    wizard = ConfigurationWizard(services)
    qtbot.addWidget(wizard)
    titles, problems = walk_wizard(wizard, DIALOG_LIMIT)
    assert titles == [
        "Welcome to MFA Console",
        "Directory Connection",
        "Email Server",
        "User Defaults",
        "Configuration Complete",
    ]
    assert problems == []


def test_a_page_that_would_grow_the_wizard_is_found(qtbot: QtBot, services: Services) -> None:
    from mfa_console.ui.wizards.configuration import ConfigurationWizard

    wizard = ConfigurationWizard(services)
    qtbot.addWidget(wizard)
    tall = QLabel("A step much taller than the window")
    tall.setMinimumHeight(900)
    layout = wizard.guided[1].layout()  # the email step's
    assert layout is not None
    layout.addWidget(tall)
    _titles, problems = walk_wizard(wizard, DIALOG_LIMIT)
    assert any("Email Server: the wizard grew" in p for p in problems), problems
    assert any("Email Server: needs at least" in p for p in problems), problems


def test_add_user_keeps_its_width_while_typing(qtbot: QtBot, services: Services) -> None:
    from mfa_console.ui.dialogs.user_edit import UserEditDialog

    dialog = UserEditDialog(services, None)
    qtbot.addWidget(dialog)
    dialog.show()
    width = dialog.width()
    qtbot.keyClicks(dialog.email, "not-an-address-" * 6)  # a long problem line under the field
    qtbot.keyClicks(dialog.phone, "12")
    assert dialog.width() == width
    problem = dialog.findChild(QLabel, "problem-email")
    assert problem is not None and problem.isVisible()
    # Taller if need be, so the wrapped problem is not clipped (once the layout has settled).
    qtbot.waitUntil(lambda: problem.height() >= problem.heightForWidth(problem.width()))
    assert dialog.width() == width
