"""Every message box of the console comes from here, so tests can intercept them.

Tests replace ``MessageSink.handler`` to record messages instead of showing modal boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox, QWidget

from mfa_console.core.errors import ConsoleError


@dataclass
class Message:
    kind: str  # "info" | "warning" | "error" | "question"
    title: str
    text: str
    detail: str = ""


Handler = Callable[[QWidget | None, Message], bool]


def _show(parent: QWidget | None, message: Message) -> bool:
    icon = {
        "info": QMessageBox.Icon.Information,
        "warning": QMessageBox.Icon.Warning,
        "error": QMessageBox.Icon.Critical,
        "question": QMessageBox.Icon.Question,
    }[message.kind]
    box = QMessageBox(icon, message.title, message.text, parent=parent)
    if message.detail:
        box.setInformativeText(message.detail)
    if message.kind == "question":
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class MessageSink:
    handler: Handler = staticmethod(_show)


def info(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    MessageSink.handler(parent, Message("info", title, text, detail))


def warning(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    MessageSink.handler(parent, Message("warning", title, text, detail))


def error(parent: QWidget | None, title: str, exc: ConsoleError | str) -> None:
    if isinstance(exc, ConsoleError):
        MessageSink.handler(parent, Message("error", title, exc.message, exc.hint))
    else:
        MessageSink.handler(parent, Message("error", title, str(exc)))


def confirm(parent: QWidget | None, title: str, text: str, detail: str = "") -> bool:
    """Ask a yes/no question; the default answer is No."""
    return MessageSink.handler(parent, Message("question", title, text, detail))
