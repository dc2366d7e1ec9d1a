"""Small helpers for the choice lists (combo boxes keyed by data) of dialogs, panes and steps."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QComboBox

from mfa_console.core.users.methods import MODES


def fill_modes(combo: QComboBox, method: str, selected: str | None = None) -> None:
    """Put the modes of ``method`` in ``combo`` (without emitting), selecting ``selected``."""
    combo.blockSignals(True)
    combo.clear()
    for key, label in MODES.get(method, {}).items():
        combo.addItem(label, key)
    combo.setCurrentIndex(max(combo.findData(selected), 0))
    combo.blockSignals(False)


def choice_combo(
    choices: Mapping[str, str], *, first: str | None = None, first_key: str = "", min_width: int = 0
) -> QComboBox:
    """A combo box of ``choices`` (key -> label) with the key as item data; ``first`` adds a
    leading item (e.g. "(company default)") whose data is ``first_key``."""
    combo = QComboBox()
    if first is not None:
        combo.addItem(first, first_key)
    for key, label in choices.items():
        combo.addItem(label, key)
    if min_width:
        combo.setMinimumWidth(min_width)
    return combo


def select_data(combo: QComboBox, key: object) -> None:
    """Select the item whose data is ``key`` (the first item when none has it)."""
    combo.setCurrentIndex(max(combo.findData(key), 0))
