"""File > Move Data to PostgreSQL...: the target URL and its password, then the copy.

The copy runs off the GUI thread with progress; the data file is only read, and the console keeps
working on it until it is opened again with the new URL (as the message at the end says).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.db.transfer import TransferReport
from mfa_console.ui import messages
from mfa_console.ui.tasks import CancelToken, Task, run_task

EXAMPLE = "postgresql://db1.example.com:5432/mfa?user=mfa_console&sslmode=verify-full"


class MoveToPostgresDialog(QDialog):
    """Asks where to; ``accepted`` starts the move (``start()``)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Move Data to PostgreSQL")
        self.url = QLineEdit()
        self.url.setPlaceholderText(EXAMPLE)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: from the OS keyring or .pgpass")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        note = QLabel(
            "Copies everything into an EMPTY PostgreSQL database, then compares every user. "
            "This data file is only read. See docs/postgresql.md."
        )
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow("Database URL:", self.url)
        form.addRow("Password:", self.password)
        form.addRow(buttons)

    def start(self) -> Task:
        """Run the move for the URL and password typed."""
        url, password = self.url.text().strip(), self.password.text() or None
        return move_data(self.parentWidget() or self, self.services, url, password)


def move_data(parent: QWidget, services: Services, url: str, password: str | None) -> Task:
    backup = services.backup

    def work(progress: CancelToken) -> TransferReport:
        return backup.move_to_postgres(url, password, progress)

    def done(report: TransferReport) -> None:
        messages.info(
            parent,
            "Data moved to PostgreSQL",
            f"{report.users_compared:,} users and {sum(report.rows.values()):,} rows in all were "
            f"copied into {report.target} and compared with the data file in "
            f"{report.seconds:.0f} s.",
            "From now on, start the console and the background service with this database as "
            "their data (docs/postgresql.md, Moving an existing data file to PostgreSQL). The "
            "data file was left untouched.",
        )

    return run_task(parent, work, title="Moving the data to PostgreSQL", on_done=done)
