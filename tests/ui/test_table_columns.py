"""Table columns sized from what is shown: no table scrolls sideways at 1024x700 or 1280x800,
no empty column stays wide, long text elides with the whole text in its tooltip, and sizing the
200,000-row Users table reads only the rows on screen."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QTableView,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.registry import PANES
from mfa_console.ui.sizing import ColumnFitter, elided_text, shrunk_to
from mfa_console.ui.tasks import wait_for_tasks
from tests.ui import demo
from tests.ui.fit_probe import each_tab
from tests.users_gui.data import insert_users

SIZES = [QSize(1024, 700), QSize(1280, 800)]


def _each_pane_and_tab(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    for spec in PANES:
        pane = window.show_pane(spec.key)
        for tab, show in each_tab(pane):
            show()
            assert wait_for_tasks(20)
            QApplication.processEvents()
            yield (f"{spec.key}/{tab}" if tab else spec.key), pane


def _empty_column_too_wide(fitter: ColumnFitter) -> list[int]:
    """Columns other than the stretching one, empty on screen, wider than their title needs."""
    view, model = fitter.view, fitter.view.model()
    headers = fitter.header_widths()
    wide = []
    for column, title_width in enumerate(headers):
        texts = [model.index(row, column).data() for row in fitter.shown_rows()]
        empty = not any(texts)
        if column != fitter.stretch and empty and view.columnWidth(column) > title_width + 8:
            wide.append(column)
    return wide


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_no_table_scrolls_sideways_in_any_pane(
    qtbot: QtBot, services: Services, size: QSize
) -> None:
    demo.fill(services)
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(size)
    window.show()
    checked, filled = 0, set()
    for where, pane in _each_pane_and_tab(window):
        for view in pane.findChildren(QAbstractItemView):
            if isinstance(view, QHeaderView) or not view.isVisibleTo(window):
                continue
            assert not view.horizontalScrollBar().isVisible(), (where, view.objectName())
            fitter = view.findChild(ColumnFitter)
            if isinstance(view, QTableView | QTreeView):
                assert fitter is not None, (where, type(view).__name__, "columns not fitted")
                assert not _empty_column_too_wide(fitter), (where, view.objectName())
                checked += 1
                if view.model().rowCount():
                    filled.add(id(view))
        assert window.size() == size, where
    # users, audit trail, authentication log, sync items, runs, changes, RADIUS clients
    assert checked >= 7
    assert len(filled) >= 6  # all but a failed run's changes: demo-sized rows


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_tables_of_the_dialogs_do_not_scroll_sideways(
    qtbot: QtBot,
    services: Services,
    size: QSize,
    messages: list,  # type: ignore[type-arg]
) -> None:
    from mfa_console.ui.dialogs.oath_tokens import OathTokensDialog
    from mfa_console.ui.dialogs.outbox import OutboxDialog

    demo.fill(services, users=5, with_sync_run=False)
    for dialog in (OathTokensDialog(services), OutboxDialog(services)):
        qtbot.addWidget(dialog)
        dialog.show()
        assert wait_for_tasks(20)
        QApplication.processEvents()
        for view in dialog.findChildren(QTableView):
            if view.isVisibleTo(dialog):
                assert view.findChild(ColumnFitter) is not None, dialog.windowTitle()
                assert not view.horizontalScrollBar().isVisible(), dialog.windowTitle()
        dialog.close()


def test_users_table_elides_long_text_with_a_tooltip(qtbot: QtBot, services: Services) -> None:
    for first, last in demo.PEOPLE:
        address = f"{first}.{last[:8]}@contoso.com".lower()
        services.users.add(UserInput(address, email=address, enabled=False))
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    pane = window.show_pane("users")
    QApplication.processEvents()
    table = pane.table  # type: ignore[attr-defined]
    header = table.horizontalHeader()
    email = [header.model().headerData(c, Qt.Orientation.Horizontal) for c in range(8)].index(
        "Email"
    )
    cell = table.model().index(1, email)
    assert table.columnWidth(email) < table.sizeHintForIndex(cell).width()  # elided ...
    assert elided_text(table, cell) == cell.data()  # ... and whole in its tooltip
    username = table.model().index(1, 0)
    assert elided_text(table, username) is None  # usernames are shown whole at 1024 px
    assert table.columnWidth(0) >= table.sizeHintForIndex(username).width()
    # At 1280 px the address has room: nothing to show in a tooltip.
    window.resize(1280, 800)
    QApplication.processEvents()
    assert elided_text(table, cell) is None


def test_a_column_resized_by_hand_keeps_its_width(qtbot: QtBot, services: Services) -> None:
    demo.fill(services, users=5, with_sync_run=False)
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    table = window.show_pane("users").table  # type: ignore[attr-defined]
    QApplication.processEvents()
    table.horizontalHeader().resizeSection(2, 150)  # as a drag on the header does
    table.model().set_filter("ann")  # a new search refits the others
    QApplication.processEvents()
    assert table.columnWidth(2) == 150


def test_sizing_the_big_users_table_reads_only_the_rows_on_screen(
    qtbot: QtBot, services: Services
) -> None:
    insert_users(services, 5000)
    window = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    table = window.show_pane("users").table  # type: ignore[attr-defined]
    QApplication.processEvents()
    fitter = table.findChild(ColumnFitter)
    assert len(fitter.shown_rows()) < 40
    assert table.model().loaded_rows() <= 100  # one page of 5,000 rows
    table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.DescendingOrder)  # sort by phone
    QApplication.processEvents()
    assert table.model().loaded_rows() <= 100
    assert not table.horizontalScrollBar().isVisible()


def test_widest_columns_give_way_first_down_to_their_titles() -> None:
    assert shrunk_to([100, 300, 50], [40, 60, 40], 450) == [100, 300, 50]  # fits already
    assert shrunk_to([100, 300, 50], [40, 60, 40], 350) == [100, 200, 50]
    assert shrunk_to([100, 300, 50], [40, 60, 40], 200) == [75, 75, 50]
    assert shrunk_to([100, 300, 50], [90, 260, 40], 200) == [90, 260, 40]  # titles stay
