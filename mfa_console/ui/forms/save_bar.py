"""The Save / Revert bar every settings pane shows in the same place (its bottom right).

It watches the pane's forms: both buttons are enabled only while something differs from what is
stored. Save stores every changed form (the first problem keeps the administrator on the pane, with
the problems named by the field labels); Revert shows the stored values again. ``ask_to_leave``
asks Save / Discard / Cancel before the pane is left or the window closes.

Lists edited through their own Add / Edit dialogs (synchronization items, RADIUS clients...) are
not forms: they are saved when that dialog's OK is pressed.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.ui import messages
from mfa_console.ui.forms.base import problem_lines


class Editor(Protocol):
    """What the bar needs of a form (``Editor`` is one; a template editor is another)."""

    @property
    def TITLE(self) -> str: ...

    @property
    def changed(self) -> SignalInstance: ...

    def is_modified(self) -> bool: ...

    def save(self) -> None: ...

    def revert(self) -> None: ...


class SaveBar(QWidget):
    saved = Signal()  # every changed form was stored
    reverted = Signal()

    def __init__(
        self, title: str, forms: list[Editor] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("save-bar")
        self.title = title
        self.forms: list[Editor] = []
        self.state = QLabel()
        self.state.setObjectName("save-bar-state")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Show the stored settings again, dropping the changes")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save")
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Save the changes (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        for form in forms or []:
            self.add_form(form)
        self.update_state()

    def add_form(self, form: Editor) -> None:
        self.forms.append(form)
        form.changed.connect(self.update_state)
        self.update_state()

    def has_changes(self) -> bool:
        return any(form.is_modified() for form in self.forms)

    def update_state(self) -> None:
        changed = self.has_changes()
        self.save_button.setEnabled(changed)
        self.revert_button.setEnabled(changed)
        self.state.setText("Unsaved changes" if changed else "")

    def save(self) -> bool:
        """Store every changed form; False (and a message) when one could not be stored."""
        for form in self.forms:
            if not form.is_modified():
                continue
            try:
                form.save()
            except ValidationError as exc:
                what = f"{form.TITLE}: not saved" if form.TITLE else "Not saved"
                messages.warning(self, self.title, what, problem_lines(exc))
                self.update_state()
                return False
            except ConsoleError as exc:
                messages.error(self, self.title, exc)
                self.update_state()
                return False
        self.update_state()
        self.saved.emit()
        return True

    def revert(self) -> None:
        for form in self.forms:
            form.revert()
        self.update_state()
        self.reverted.emit()

    def ask_to_leave(self) -> bool:
        """True when the pane may be left: nothing changed, saved, or discarded."""
        if not self.has_changes():
            return True
        answer = messages.unsaved_changes(
            self, self.title, f"Save the changes to {self.title}?", self._changed_titles()
        )
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.revert()
            return True
        return False

    def _changed_titles(self) -> str:
        titles = [form.TITLE for form in self.forms if form.is_modified() and form.TITLE]
        return f"Changed: {', '.join(titles)}." if titles else ""
