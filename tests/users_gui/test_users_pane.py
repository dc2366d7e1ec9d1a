"""The Users pane: search as you type, shortcuts, remove after a confirmation, enable, disable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from mfa_console.app import Services
from mfa_console.ui.dialogs import user_edit
from mfa_console.ui.panes.users import UsersPane


def make_pane(qtbot, services: Services) -> UsersPane:  # type: ignore[no-untyped-def]
    pane = UsersPane(services)
    qtbot.addWidget(pane)
    pane.resize(1000, 600)
    pane.show()
    pane.activateWindow()
    qtbot.waitActive(pane)  # shortcuts reach only the active window
    return pane


def focus(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def select(pane: UsersPane, *usernames: str) -> None:
    rows = [r for r in range(pane.model.rowCount()) if pane.model.user_at(r).username in usernames]  # type: ignore[union-attr]
    pane._select_rows(rows)


def test_search_filters_as_you_type_and_status_line(qtbot, many_users: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, many_users)
    _total, enabled = many_users.users.count()
    assert pane.status.text().startswith(f"600 shown / 600 users / {enabled:,} enabled")
    qtbot.keyClicks(pane.search, "smi")
    qtbot.waitUntil(lambda: pane.model.filter_text == "smi")
    shown = pane.model.rowCount()
    assert 0 < shown < 600
    assert pane.status.text().startswith(f"{shown:,} shown / 600 users")
    qtbot.keyClicks(pane.search, "zzz")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
    assert pane.status.text().startswith("0 shown")


def test_shortcuts_focus_search_and_open_dialogs(qtbot, few_users: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[int | None] = []

    def fake_exec(dialog: QDialog) -> int:
        opened.append(dialog.user.id if dialog.user else None)  # type: ignore[attr-defined]
        return 0

    monkeypatch.setattr(user_edit.UserEditDialog, "exec", fake_exec)
    pane = make_pane(qtbot, few_users)
    focus(qtbot, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is pane.search, QApplication.focusWidget()
    qtbot.keyClick(pane.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [None]
    select(pane, "bob.jones@contoso.com")
    focus(qtbot, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert opened[-1] == few_users.users.find("bob.jones@contoso.com").id


def test_delete_asks_then_removes_and_keeps_a_selection(
    qtbot, few_users: Services, messages
) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, few_users)
    select(pane, "ann.smith@contoso.com", "bob.jones@contoso.com")
    focus(qtbot, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_Delete)
    assert messages[0].kind == "question"
    assert "2 users" in messages[0].text
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    assert few_users.users.count() == (1, 1)
    assert pane.selected_users()[0].username == "carol@contoso.com"
    assert pane.status.text().startswith("1 shown / 1 users / 1 enabled")


def test_remove_refused_keeps_users(qtbot, few_users: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.ui import messages as module

    monkeypatch.setattr(module.MessageSink, "handler", staticmethod(lambda _p, _m: False))
    pane = make_pane(qtbot, few_users)
    select(pane, "ann.smith@contoso.com")
    pane.remove_selected()
    assert few_users.users.count()[0] == 3


def test_enable_and_disable_many(qtbot, many_users: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, many_users)
    pane.table.selectAll()
    pane.set_selected_enabled(False)
    qtbot.waitUntil(lambda: many_users.users.count()[1] == 0, timeout=10000)
    qtbot.waitUntil(lambda: "/ 0 enabled" in pane.status.text())
    assert len(pane.selected_rows()) == 600
    pane.set_selected_enabled(True)
    qtbot.waitUntil(lambda: many_users.users.count()[1] == 600, timeout=10000)


def test_directory_email_and_test_buttons(qtbot, few_users: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, few_users)
    assert pane.buttons["import"].isEnabled()  # the dialog says what to set up, if anything
    assert not pane.buttons["email"].isEnabled()  # nothing selected
    assert not pane.buttons["test"].isEnabled()
    assert "one-time code" in pane.buttons["test"].toolTip()
    select(pane, "carol@contoso.com")
    assert pane.buttons["email"].isEnabled()
    assert pane.buttons["test"].isEnabled()  # one user selected: Test User
    calls: list[object] = []
    pane.set_import_handler(lambda: calls.append("import"))
    pane.set_test_handler(calls.append)
    pane.buttons["test"].click()
    pane.buttons["import"].click()
    assert calls[0].username == "carol@contoso.com"  # type: ignore[attr-defined]
    assert calls[1] == "import"


def test_refresh_selects_a_new_user_where_it_sorts(qtbot, many_users: Services) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.users.records import UserInput

    pane = make_pane(qtbot, many_users)
    user = many_users.users.add(UserInput("mmm.middle@contoso.com", method="oath-token"))
    pane.refresh([user.id])
    assert [u.id for u in pane.selected_users()] == [user.id]
    assert pane.status.text().startswith("601 shown / 601 users")
