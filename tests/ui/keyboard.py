"""Keyboard checks shared by the GUI tests: mnemonics unique in a window, buddies are inputs.

``mnemonic_clashes(window)`` walks the window's visible widgets (labels with a buddy, buttons,
check boxes, group boxes, tab bars, the menu bar, a wizard's own buttons) and returns every
Alt+letter claimed more than once, with the texts that claim it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QWidget,
)

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic_of(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _claims(window: QWidget) -> list[tuple[str, str]]:
    """(text, owner description) of every visible thing that answers an Alt+letter."""
    texts: list[tuple[str, str]] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) and widget is not window:
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            if widget.buddy().isVisibleTo(window):
                texts.append((widget.text(), f"label {widget.text()!r}"))
        elif isinstance(widget, QAbstractButton):
            texts.append((widget.text(), f"button {widget.text()!r}"))
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            texts.append((widget.title(), f"group {widget.title()!r}"))
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.isTabVisible(index):
                    texts.append((widget.tabText(index), f"tab {widget.tabText(index)!r}"))
    if isinstance(window, QMainWindow) and window.menuBar().isVisibleTo(window):
        for action in window.menuBar().actions():
            texts.append((action.text(), f"menu {action.text()!r}"))
    return texts


def mnemonic_clashes(window: QWidget, extra: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """``extra``: texts shown at other times in the same window (a wizard's Back button)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for text, owner in [*_claims(window), *((t, f"also {t!r}") for t in extra)]:
        letter = mnemonic_of(text)
        if letter:
            owners[letter].append(owner)
    return {letter: names for letter, names in owners.items() if len(names) > 1}


def dead_mnemonics(window: QWidget) -> list[str]:
    """Labels that underline a letter without a buddy, or whose buddy cannot take focus
    (a container): Alt+letter would do nothing."""
    from PySide6.QtCore import Qt

    dead = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not mnemonic_of(label.text()):
            continue
        if label.textFormat() == Qt.TextFormat.RichText or "<" in label.text():
            continue  # rich text shows & literally: no mnemonic
        buddy = label.buddy()
        if buddy is None or buddy.focusPolicy() == Qt.FocusPolicy.NoFocus:
            dead.append(label.text())
    return dead


def assert_keyboard_ok(window: QWidget, extra: tuple[str, ...] = ()) -> None:
    clashes = mnemonic_clashes(window, extra)
    assert not clashes, f"{window.windowTitle() or type(window).__name__}: {clashes}"
    dead = dead_mnemonics(window)
    assert not dead, f"{window.windowTitle() or type(window).__name__}: no input for {dead}"
