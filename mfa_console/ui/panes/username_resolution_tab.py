"""Company Settings > Username Resolution (and the OATH prompt text): how a name typed at a VPN
finds the console's user, and what a RADIUS challenge asks. Saved with the pane's Save."""

from __future__ import annotations

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
from mfa_console.ui.forms.base import SettingsForm


class UsernameResolutionTab(SettingsForm):
    """How a name typed at a VPN finds its console user, and the OATH prompt: a form on the
    Company Settings pane's Save bar."""

    TITLE = "Username Resolution"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
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
        layout.addStretch(1)
        self.watch(self.strip_domain, self.before_at, self.suffix, self.prompt)
        self.load()

    def stored(self) -> tuple[UsernameResolution, OathPrompt]:
        settings = self.services.settings
        return settings.load(UsernameResolution), settings.load(OathPrompt)

    def show_value(self, value: tuple[UsernameResolution, OathPrompt]) -> None:
        resolution, prompt = value
        self.strip_domain.setChecked(resolution.strip_domain_prefix)
        self.before_at.setChecked(resolution.try_name_before_at)
        self.suffix.setText(resolution.upn_suffix)
        self.prompt.setText(prompt.prompt)

    def value(self) -> tuple[UsernameResolution, OathPrompt]:
        return (
            UsernameResolution(
                strip_domain_prefix=self.strip_domain.isChecked(),
                try_name_before_at=self.before_at.isChecked(),
                upn_suffix=self.suffix.text().strip(),
            ),
            OathPrompt(self.prompt.text().strip()),
        )

    def check(self) -> ValidationError | None:
        for part in self.value():
            try:
                part.validate()
            except ValidationError as exc:
                return exc
        return None

    def store(self, value: tuple[UsernameResolution, OathPrompt]) -> None:
        """Validate both, then store both (ValidationError: nothing stored)."""
        for part in value:
            part.validate()
        for part in value:
            self.services.settings.save(part)
