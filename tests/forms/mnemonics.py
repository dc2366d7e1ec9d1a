"""Mnemonics (the underlined letters) of what is visible in a window: labels with a buddy,
buttons, tab bars, the menu bar."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QAbstractButton, QLabel, QMenuBar, QTabBar, QWidget


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _texts(widget: QWidget) -> list[str]:
    if isinstance(widget, QAbstractButton):
        return [widget.text()]
    if isinstance(widget, QLabel) and widget.buddy() is not None:
        return [widget.text()]
    if isinstance(widget, QTabBar):
        return [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QMenuBar):
        return [action.text() for action in widget.actions()]
    return []


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Each letter used by more than one visible widget of ``window``, with their texts."""
    found: dict[str, list[str]] = {}
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        for text in _texts(widget):
            letter = mnemonic(text)
            if letter:
                found.setdefault(letter, []).append(text)
    return {letter: texts for letter, texts in found.items() if len(texts) > 1}


def container_buddies(window: QWidget) -> list[str]:
    """Labels whose buddy is not an input (a container widget takes no focus)."""
    return [
        label.text()
        for label in window.findChildren(QLabel)
        if label.buddy() is not None and label.buddy().focusPolicy().value == 0
    ]
