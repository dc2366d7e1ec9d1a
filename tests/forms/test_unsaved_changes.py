"""Save / Revert enabled only after a change; leaving a pane or quitting with unsaved changes asks
Save / Discard / Cancel (through ui/messages.py), and each answer does what it says."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings

from mfa_console.app import Services
from mfa_console.core.company import CompanySettings
from mfa_console.ui import messages as messages_module
from mfa_console.ui.main_window import MainWindow


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[Any]]:
    """The answers the next unsaved-changes questions get, and every message shown."""
    queue: list[str] = []
    shown: list[Any] = []

    def handler(_parent: object, message: messages_module.Message) -> bool | str:
        shown.append(message)
        if message.kind != "unsaved":
            return True
        return queue.pop(0) if queue else "discard"  # the window's close at teardown

    monkeypatch.setattr(messages_module.MessageSink, "handler", staticmethod(handler))
    return queue, shown


@pytest.fixture
def window(qtbot, services: Services, tmp_path, answers) -> MainWindow:  # type: ignore[no-untyped-def]
    state = QSettings(str(tmp_path / "state.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, state, first_pane="company")
    qtbot.addWidget(win)
    win.show()
    return win


def _edit_company(window: MainWindow) -> Any:
    pane = window.pane("company")
    bar = pane.save_bar  # type: ignore[attr-defined]
    assert not bar.save_button.isEnabled() and not bar.revert_button.isEnabled()
    pane.form.pin_history.setValue(8)  # type: ignore[attr-defined]
    assert bar.save_button.isEnabled() and bar.revert_button.isEnabled()
    return pane


def test_switching_panes_cancel_stays_with_the_changes(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, shown = answers
    pane = _edit_company(window)
    queue.append("cancel")
    window.show_pane("users")
    assert [m.kind for m in shown] == ["unsaved"] and "Company Settings" in shown[0].text
    assert window.current_pane_key == "company" and window._stack.currentWidget() is pane
    assert pane.form.pin_history.value() == 8 and pane.save_bar.has_changes()
    assert services.settings.load(CompanySettings).pin_history == 5


def test_switching_panes_save_stores_then_leaves(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, _shown = answers
    pane = _edit_company(window)
    queue.append("save")
    window.show_pane("users")
    assert window.current_pane_key == "users"
    assert services.settings.load(CompanySettings).pin_history == 8
    assert not pane.save_bar.save_button.isEnabled()


def test_switching_panes_discard_reverts_then_leaves(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, _shown = answers
    pane = _edit_company(window)
    queue.append("discard")
    window.show_pane("logs")
    assert window.current_pane_key == "logs"
    assert services.settings.load(CompanySettings).pin_history == 5
    assert pane.form.pin_history.value() == 5 and not pane.save_bar.has_changes()


def test_no_question_without_changes(window, answers) -> None:  # type: ignore[no-untyped-def]
    _queue, shown = answers
    window.show_pane("users")
    window.show_pane("directory")
    window.show_pane("email")
    assert window.close()
    assert shown == []


def test_quitting_cancel_keeps_the_window(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, shown = answers
    email = window.show_pane("email")
    email.settings_tab.form.server.setText("smtp.example.test")
    queue.append("cancel")
    assert not window.close()  # Ctrl+Q and the close button both close the window
    assert window.isVisible() and [m.kind for m in shown] == ["unsaved"]
    assert "Email" in shown[0].text
    assert email.save_bar.has_changes()


def test_quitting_save_stores(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, shown = answers
    email = window.show_pane("email")
    email.settings_tab.form.server.setText("smtp.example.test")
    email.settings_tab.form.from_address.setText("mfa@example.test")
    queue.append("save")
    assert window.close()
    assert [m.kind for m in shown] == ["unsaved"]
    assert services.mail.settings().server == "smtp.example.test"


def test_quitting_discard_drops(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, _shown = answers
    _edit_company(window)
    queue.append("discard")
    assert window.close()
    assert services.settings.load(CompanySettings).pin_history == 5


def test_a_save_that_fails_keeps_the_window_open(window, answers, services) -> None:  # type: ignore[no-untyped-def]
    queue, shown = answers
    email = window.show_pane("email")
    email.settings_tab.form.from_address.setText("not an address")
    queue.append("save")
    assert not window.close()
    assert shown[-1].kind == "warning" and "From address:" in shown[-1].detail
    assert email.save_bar.has_changes()  # nothing lost
