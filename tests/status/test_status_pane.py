"""The Status pane: cards for every section, links to panes, refresh off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from mfa_console.app import Services
from mfa_console.ui.main_window import MainWindow
from mfa_console.ui.panes.status import StatusPane


def loaded(qtbot, pane: StatusPane) -> StatusPane:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: bool(pane.cards) and not pane.task.running, timeout=10_000)
    return pane


def make_pane(qtbot, services: Services) -> StatusPane:  # type: ignore[no-untyped-def]
    pane = StatusPane(services)
    qtbot.addWidget(pane)
    pane.resize(980, 700)
    pane.show()
    return loaded(qtbot, pane)


def card_text(pane: StatusPane, key: str) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in pane.cards[key].findChildren(QLabel))


def test_empty_file_cards(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, services)
    assert set(pane.cards) == {
        "activation", "users", "data-file", "sync", "email", "authentication", "radius", "service",
        "sizing",
    }  # fmt: skip
    assert "RADIUS authentication is off." in card_text(pane, "radius")
    assert "Not configured" in card_text(pane, "email")
    assert "0 users" in card_text(pane, "users")
    assert not pane.chart.isVisible()


def test_small_file_cards_and_chart(qtbot, small: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, small)
    assert "5 users: 4 enabled, 1 disabled" in card_text(pane, "users")
    assert "1 without a phone" in card_text(pane, "users")
    assert pane.chart.isVisible()


def test_large_file_and_refresh(qtbot, large: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, large)
    assert "20,000 users" in card_text(pane, "users")
    assert "8 GB" in card_text(pane, "sizing")
    for _ in range(4):  # older finished tasks are deleted as new refreshes start
        old = pane.cards["users"]
        task = pane.refresh()
        assert task is not None
        with qtbot.waitSignal(task.done, timeout=10_000):
            pass
        qtbot.waitUntil(lambda old=old: pane.cards["users"] is not old, timeout=10_000)


def test_cards_link_to_their_panes(qtbot, small: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Its own state file: Qt shares one cache per file name, and os.devnull's would carry the
    # last pane of an earlier test.
    window = MainWindow(small, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.current_pane_key == "status"  # the home page
    pane = loaded(qtbot, window.pane("status"))  # type: ignore[arg-type]
    link = pane.cards["users"].link
    assert link is not None
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.current_pane_key == "users"
    window.show_pane("status")
    qtbot.mouseClick(pane.cards["data-file"].link, Qt.MouseButton.LeftButton)
    assert window.current_pane_key == "logs"
    window.close()


def test_a_features_own_chart_series_wins_over_the_audit_count() -> None:
    from datetime import date

    from mfa_console.core.status import ChartSeries, StatusSection
    from mfa_console.ui.panes.status import chart_series

    days = (date(2026, 1, 1), date(2026, 1, 2))
    audit = StatusSection(
        "activity", "Activity", "ok", (), None, {},
        (ChartSeries("Synchronization", days, (1, 1)), ChartSeries("Users", days, (2, 0))),
    )  # fmt: skip
    sync = StatusSection(
        "sync", "Sync", "ok", (), "directory", {}, (ChartSeries("Synchronization", days, (5, 6)),)
    )
    chosen = chart_series([audit, sync])
    assert [(s.label, s.counts) for s in chosen] == [("Synchronization", (5, 6)), ("Users", (2, 0))]
