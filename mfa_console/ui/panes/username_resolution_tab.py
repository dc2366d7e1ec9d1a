"""Company Settings > Username Resolution (and the OATH prompt text): how a name typed at a VPN
finds the console's user, and what a RADIUS challenge asks. Saved with the pane's Save."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ValidationError
from mfa_console.core.resolution import OathPrompt, UsernameResolution


class UsernameResolutionTab(QWidget):
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.stored: tuple[UsernameResolution, OathPrompt] | None = None
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a00;")
        self.strip_domain = QCheckBox("Strip the &domain prefix")
        self.strip_domain.setToolTip("DOMAIN\\user finds the console user user")
        self.before_at = QCheckBox("Try the name &before @")
        self.before_at.setToolTip("user@upn.example finds user when no console user has it all")
        self.suffix = QLineEdit()
        self.suffix.setPlaceholderText("example.com")
        self.prompt = QLineEdit()
        names = QGroupBox("Username resolution")
        form = QFormLayout(names)
        intro = QLabel(
            "A name typed at a VPN or gateway is compared with the console's usernames, "
            "ignoring case: as typed first, then changed as below, in this order "
            "(DOMAIN\\user, user@upn.example, sAMAccountName)."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow(self.strip_domain)
        form.addRow(self.before_at)
        form.addRow("&UPN suffix:", self.suffix)
        oath = QGroupBox("OATH token")
        oath_form = QFormLayout(oath)
        oath_form.addRow("OATH &prompt text:", self.prompt)
        note = QLabel("Sent as the Reply-Message of a RADIUS challenge.")
        note.setWordWrap(True)
        oath_form.addRow(note)
        layout = QVBoxLayout(self)
        layout.addWidget(names)
        layout.addWidget(oath)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        for box in (self.strip_domain, self.before_at):
            box.toggled.connect(self.changed)
        for line in (self.suffix, self.prompt):
            line.textChanged.connect(self.changed)

    def load(self) -> None:
        resolution = self.services.settings.load(UsernameResolution)
        self.strip_domain.setChecked(resolution.strip_domain_prefix)
        self.before_at.setChecked(resolution.try_name_before_at)
        self.suffix.setText(resolution.upn_suffix)
        self.prompt.setText(self.services.settings.load(OathPrompt).prompt)
        self.stored = self.values()

    def is_changed(self) -> bool:
        return self.values() != self.stored

    def problems(self) -> dict[str, str]:
        """Problems of what the tab shows (also shown in the tab)."""
        found: dict[str, str] = {}
        for value in self.values():
            try:
                value.validate()
            except ValidationError as exc:
                found |= exc.problems
        self.problem.setText("; ".join(f"{k}: {v}" for k, v in found.items()))
        return found

    def values(self) -> tuple[UsernameResolution, OathPrompt]:
        return (
            UsernameResolution(
                strip_domain_prefix=self.strip_domain.isChecked(),
                try_name_before_at=self.before_at.isChecked(),
                upn_suffix=self.suffix.text().strip(),
            ),
            OathPrompt(self.prompt.text().strip()),
        )

    def save(self) -> None:
        """Validate both, then store both (ValidationError: nothing stored)."""
        resolution, prompt = self.values()
        resolution.validate()
        prompt.validate()
        self.services.settings.save(resolution)
        self.services.settings.save(prompt)
        self.stored = (resolution, prompt)
