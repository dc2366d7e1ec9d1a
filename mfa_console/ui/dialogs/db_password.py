"""Ask for a PostgreSQL server's password when neither the keyring nor .pgpass has it."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget


def ask_password(parent: QWidget | None, server: str, reason: str) -> str | None:
    """The password typed for ``server``, or None when the person cancels."""
    text, ok = QInputDialog.getText(
        parent,
        "Database password",
        f"{reason}\n\nPassword for {server} (kept in the OS keyring once it works):",
        QLineEdit.EchoMode.Password,
    )
    return text if ok else None
