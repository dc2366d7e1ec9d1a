"""A pane whose feature is not built yet: it says what it will do, and is never broken."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui.panes.registry import PaneSpec


class PlaceholderPane(QWidget):
    def __init__(
        self, services: Services, parent: QWidget | None = None, *, spec: PaneSpec
    ) -> None:
        super().__init__(parent)
        title = QLabel(f"<h2>{spec.title}</h2>")
        body = QLabel(
            f"{spec.summary}<br><br><i>This pane is not available in this version yet.</i>"
        )
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addStretch(1)
