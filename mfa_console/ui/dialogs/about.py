"""Help > About: version, data file, and the licences of the libraries the console uses."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from mfa_console import __version__
from mfa_console.app import Services

DEPENDENCIES = (
    "PySide6-Essentials",
    "SQLAlchemy",
    "alembic",
    "platformdirs",
    "keyring",
    "ldap3",
    "phonenumbers",
    "email-validator",
    "Jinja2",
    "cryptography",
)


def dependency_licences() -> list[tuple[str, str, str]]:
    """(name, version, licence) of each runtime dependency that is installed."""
    rows = []
    for name in DEPENDENCIES:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        licence = (meta.get_all("License-Expression") or meta.get_all("License") or [""])[0]
        if not licence or len(licence) > 60:
            classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
            licence = classifiers[-1].split("::")[-1].strip() if classifiers else "see package"
        rows.append((name, meta["Version"], licence))
    return rows


class AboutDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About MFA Console")
        self.resize(560, 420)
        heading = QLabel(
            f"<h3>MFA Console {__version__}</h3><p>Data file: {services.data_name}</p>"
        )
        heading.setWordWrap(True)
        licences = QTextBrowser()
        rows = "".join(
            f"<tr><td>{n}</td><td>{v}</td><td>{lic}</td></tr>"
            for n, v, lic in dependency_licences()
        )
        licences.setHtml(
            "<p>MFA Console is built on these libraries:</p>"
            f"<table cellpadding=3><tr><th align=left>Library</th><th align=left>Version</th>"
            f"<th align=left>Licence</th></tr>{rows}</table>"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(licences, 1)
        layout.addWidget(buttons)
