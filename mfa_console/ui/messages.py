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
    kind: str  # "info" | "warning" | "error" | "question" | "unsaved" | "choice"
    title: str
    text: str
    detail: str = ""
    choices: tuple[str, ...] = ()  # "choice": the buttons, the last one cancels


# A handler answers True / False (a question), or "save" / "discard" / "cancel" (unsaved changes;
# True counts as "save" and False as "cancel", so a yes-handler saves), or a choice's button text
# (True counts as the first, False as the last, which cancels).
Handler = Callable[[QWidget | None, Message], bool | str]


def _show(parent: QWidget | None, message: Message) -> bool | str:
    icon = {
        "info": QMessageBox.Icon.Information,
        "warning": QMessageBox.Icon.Warning,
        "error": QMessageBox.Icon.Critical,
        "question": QMessageBox.Icon.Question,
        "unsaved": QMessageBox.Icon.Warning,
        "choice": QMessageBox.Icon.Critical,
    }[message.kind]
    box = QMessageBox(icon, message.title, message.text, parent=parent)
    if message.detail:
        box.setInformativeText(message.detail)
    if message.kind == "unsaved":
        return _ask_unsaved(box)
    if message.kind == "choice":
        return _ask_choice(box, message.choices)
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


def _ask_choice(box: QMessageBox, choices: tuple[str, ...]) -> str:
    buttons = [box.addButton(text, QMessageBox.ButtonRole.ActionRole) for text in choices[:-1]]
    cancel = box.addButton(choices[-1], QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(buttons[0] if buttons else cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((b.text() for b in buttons if b is clicked), choices[-1])


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


def choose(
    parent: QWidget | None, title: str, exc: ConsoleError, choices: tuple[str, ...]
) -> str | None:
    """Show an expected error with buttons ``choices`` (the last one cancels): the button
    chosen, or None for the last."""
    answer = MessageSink.handler(
        parent, Message("choice", title, exc.message, exc.hint, choices=choices)
    )
    if answer is True:
        answer = choices[0]
    if not isinstance(answer, str) or answer not in choices[:-1]:
        return None
    return answer
