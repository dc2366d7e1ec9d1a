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
    kind: str  # "info" | "warning" | "error" | "question" | "unsaved"
    title: str
    text: str
    detail: str = ""


# A handler answers True / False (a question), or "save" / "discard" / "cancel" (unsaved changes;
# True counts as "save" and False as "cancel", so a yes-handler saves).
Handler = Callable[[QWidget | None, Message], bool | str]


def _show(parent: QWidget | None, message: Message) -> bool | str:
    icon = {
        "info": QMessageBox.Icon.Information,
        "warning": QMessageBox.Icon.Warning,
        "error": QMessageBox.Icon.Critical,
        "question": QMessageBox.Icon.Question,
        "unsaved": QMessageBox.Icon.Warning,
    }[message.kind]
    box = QMessageBox(icon, message.title, message.text, parent=parent)
    if message.detail:
        box.setInformativeText(message.detail)
    if message.kind == "unsaved":
        return _ask_unsaved(box)
    if message.kind == "question":
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def _ask_unsaved(box: QMessageBox) -> str:
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(answer), "cancel")


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
    return bool(MessageSink.handler(parent, Message("question", title, text, detail)))


def unsaved_changes(parent: QWidget | None, title: str, text: str, detail: str = "") -> str:
    """Ask Save / Discard / Cancel about unsaved changes: "save", "discard" or "cancel"."""
    answer = MessageSink.handler(parent, Message("unsaved", title, text, detail))
    if isinstance(answer, str):
        return answer
    return "save" if answer else "cancel"
