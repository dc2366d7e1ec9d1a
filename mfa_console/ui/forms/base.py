"""The base of every settings form, and the Save / Revert bar of the panes that embed them.

A ``SettingsForm`` shows one settings group (a frozen dataclass of core) and talks to its feature
service itself, so a pane and a guided-setup step embed the same form and get the same load, the
same validation and the same save (password kept, replaced or deleted by the core rule):

- ``load()`` reads the stored value and shows it; it becomes the value edits are compared with.
- ``value()`` is the settings value on screen (not validated, not saved).
- ``changed`` is emitted on every edit; ``is_modified()`` says whether anything differs from what
  is stored (a typed password counts).
- ``check()`` validates what is on screen without saving (problems named by the field labels).
- ``save()`` validates and stores (raises ``ConsoleError``), loads again and emits ``saved``;
  ``revert()`` loads.

A subclass implements ``stored``, ``show`` and ``value`` and, when it has more than the group,
``store`` (a password) and ``password_typed``; it calls ``watch`` on its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from mfa_console.core.errors import ValidationError
from mfa_console.core.settings import check


class SettingsForm(QWidget):
    """One settings group on screen (see the module's docstring for the API)."""

    changed = Signal()
    saved = Signal()  # the value on screen was stored
    TITLE: ClassVar[str] = ""  # the group's name in messages, e.g. "Email server"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stored: Any = None
        self._loading = False

    # To implement ---------------------------------------------------------------------------
    def stored(self) -> Any:
        """The stored value, from the feature service."""
        raise NotImplementedError

    def show_value(self, value: Any) -> None:
        """Put ``value`` in the inputs."""
        raise NotImplementedError

    def value(self) -> Any:
        """The settings value on screen."""
        raise NotImplementedError

    def store(self, value: Any) -> None:
        """Validate and store ``value`` (and a typed password) through the feature service."""
        raise NotImplementedError

    def password_typed(self) -> bool:
        return False

    def summary(self) -> str:
        """One line saying what is set, for the guided setup's last page."""
        return ""

    # Provided -------------------------------------------------------------------------------
    def load(self) -> None:
        self.show_stored(self.stored())

    def show_stored(self, value: Any) -> None:
        """Show ``value`` as the stored one (edits are compared with it)."""
        self._loading = True
        try:
            self.show_value(value)
        finally:
            self._loading = False
        self._stored = value
        self.changed.emit()

    def is_modified(self) -> bool:
        return self._stored is not None and (self.value() != self._stored or self.password_typed())

    def check(self) -> ValidationError | None:
        return check(self.value())

    def save(self) -> None:
        self.store(self.value())
        self.load()
        self.saved.emit()

    def revert(self) -> None:
        self.load()

    def set_inset(self, margin: int) -> None:
        """Margins around the form (none by default: the embedder decides)."""
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(margin, margin, margin, margin)

    def watch(self, *widgets: QWidget) -> None:
        """Emit ``changed`` when any of ``widgets`` is edited (not while loading)."""
        for widget in widgets:
            signal = _edit_signal(widget)
            signal.connect(self._on_input_edited)

    def _on_input_edited(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()


def _edit_signal(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QSpinBox):
        return widget.valueChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    raise TypeError(f"no edit signal for {type(widget).__name__}")


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic focuses ``widget`` (the input itself, never a container)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def problem_lines(error: ValidationError) -> str:
    return "\n".join(error.lines())


def forms_modified(forms: Iterable[SettingsForm]) -> bool:
    return any(form.is_modified() for form in forms)
