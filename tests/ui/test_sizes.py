"""Everything fits a 1024x700 window: panes, their tabs, dialogs and guided-setup pages."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication, QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.registry import PANES
from tests.ui.test_keyboard import _dialogs

SMALL = QSize(1024, 700)


def test_every_pane_renders_at_1024x700_without_growing_the_window(
    qtbot: QtBot, services: Services
) -> None:
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(SMALL)
    window.show()
    for spec in PANES:
        pane = window.show_pane(spec.key)
        tabs = [t for t in pane.findChildren(QTabWidget) if t.isVisibleTo(window)]
        for tab_widget, index in [(None, 0), *((t, i) for t in tabs for i in range(t.count()))]:
            if tab_widget is not None:
                tab_widget.setCurrentIndex(index)
            QApplication.processEvents()
            assert window.size() == SMALL, (spec.key, index, window.size())
            assert not pane.grab().isNull()
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert minimum.width() <= 1000 and minimum.height() <= 640, minimum


def test_every_dialog_and_guided_page_fits_1024x700(
    qtbot: QtBot,
    services: Services,
    messages: list,  # type: ignore[type-arg]
) -> None:
    from mfa_console.ui.wizards.configuration import ConfigurationWizard

    windows = [make() for make in _dialogs(services).values()]
    wizard = ConfigurationWizard(services)
    windows.append(wizard)
    for window in windows:
        qtbot.addWidget(window)
        window.show()
        needed = window.minimumSizeHint().expandedTo(window.minimumSize())
        assert needed.width() <= SMALL.width() and needed.height() <= SMALL.height() - 40, (
            window.windowTitle(),
            needed,
        )
        assert window.width() <= SMALL.width(), (window.windowTitle(), window.size())
        window.close()


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
