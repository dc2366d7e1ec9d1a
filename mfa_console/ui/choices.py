"""Small helpers for the method / mode lists that several dialogs and panes show."""

from __future__ import annotations

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
