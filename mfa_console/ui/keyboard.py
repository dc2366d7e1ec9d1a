"""Keyboard support shared by panes and dialogs: label buddies that reach the input itself, and
search fields where Enter searches and Escape clears."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget


def fix_buddies(root: QWidget) -> None:
    """Point every label whose buddy is a container (a field with its problem line under it)
    at the container's focus proxy, the input, so that Alt+letter lands in the input."""
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        target: QWidget | None = buddy
        while target is not None and target.focusProxy() is not None:
            target = target.focusProxy()
        if target is not buddy and target is not None:
            label.setBuddy(target)


class _SearchKeys(QObject):
    def __init__(self, edit: QLineEdit, search: Callable[[], None], clear_on_escape: bool):
        super().__init__(edit)
        self._edit, self._search, self._clear_on_escape = edit, search, clear_on_escape

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._search()
            return True  # never also the dialog's default button
        if event.key() == Qt.Key.Key_Escape and self._clear_on_escape and self._edit.text():
            self._edit.clear()
            return True  # clears the search; a second Escape goes on (closes a dialog)
        return False


def search_keys(edit: QLineEdit, search: Callable[[], None], *, clear_on_escape: bool) -> None:
    """Enter in a search field searches (and only searches); Escape clears it if asked."""
    edit.installEventFilter(_SearchKeys(edit, search, clear_on_escape))
