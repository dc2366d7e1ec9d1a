"""The wizard's welcome page with the original's "Skip using the ... Wizard" checkbox."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget, QWizardPage

SKIP_TEXT = "&Skip using the Authentication Configuration Wizard"


class WelcomePage(QWizardPage):
    def __init__(self, steps: list[str], skip: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Welcome to MFA Console")
        self.setSubTitle("This wizard sets up the console for its first use.")
        listed = "".join(f"<li>{step}</li>" for step in steps)
        intro = QLabel(
            f"<p>The guided setup asks for:</p><ul>{listed}</ul>"
            "<p>Each step can be skipped and changed later in its pane. To configure everything "
            "in the console yourself, check the box below and click Next: the wizard closes and "
            "the console opens. You can run this wizard again from Tools &gt; Run "
            "Configuration Wizard.</p>"
        )
        intro.setWordWrap(True)
        self.skip_check = QCheckBox(SKIP_TEXT)
        self.skip_check.setObjectName("skip-wizard")
        self.skip_check.setChecked(skip)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addStretch(1)
        layout.addWidget(self.skip_check)
