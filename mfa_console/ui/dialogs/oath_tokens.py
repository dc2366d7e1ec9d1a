"""OATH Tokens: import hardware tokens, assign, unassign, resynchronise; locked-out users.

Each rejected row or key of an import is listed with its line and reason. Assigning a token to a
user who has one asks before replacing it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.auth.importing import PasswordRequiredError
from mfa_console.core.auth.service import ImportReport
from mfa_console.core.auth.tokens import TokenReplaceError
from mfa_console.core.errors import ConsoleError
from mfa_console.ui import messages
from mfa_console.ui.models.token_model import COLUMNS, TokenTableModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import run_task


class OathTokensDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("OATH Tokens")
        self.model = TokenTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("tokens-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        fit_columns(self.table, COLUMNS.index("User"))
        self.locked = QListWidget()
        self.locked.setObjectName("locked-list")
        tabs = QTabWidget()
        tabs.addTab(self._tokens_page(), "&Tokens")
        tabs.addTab(self._locked_page(), "&Locked Out Users")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(close)
        self.resize(820, 460)
        self.reload()

    def _tokens_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout()
        for text, slot in (("&Import...", self._on_import_clicked),
                           ("&Assign...", self._on_assign_clicked),
                           ("&Unassign", self._on_unassign_clicked),
                           ("&Resync...", self._on_resync_clicked)):  # fmt: skip
            button = QPushButton(text)
            button.setObjectName("tokens-" + text.strip("&.").lower())
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        return page

    def _locked_page(self) -> QWidget:
        page = QWidget()
        unblock = QPushButton("Un&block")
        unblock.setObjectName("locked-unblock")
        unblock.clicked.connect(self._on_unblock_clicked)
        layout = QVBoxLayout(page)
        layout.addWidget(self.locked, 1)
        layout.addWidget(unblock)
        return page

    def reload(self) -> None:
        self.model.set_tokens(self.services.auth.tokens())
        self.locked.clear()
        for user in self.services.auth.locked_users():
            self.locked.addItem(f"{user.username}  (locked {user.until_text})")
            self.locked.item(self.locked.count() - 1).setData(256, user.username)

    def selected_serial(self) -> str | None:
        token = self.model.token(self.table.currentIndex().row())
        return token.serial if token else None

    # Import ----------------------------------------------------------------------------------
    def _on_import_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import OATH Tokens", "", "Token files (*.csv *.xml *.pskc *.pskcxml);;All (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path, password: str | None = None) -> None:
        def ask_password(exc: ConsoleError) -> bool:
            """A protected PSKC file: ask for its password and import again (True: handled)."""
            if not isinstance(exc, PasswordRequiredError):
                return False
            text, ok = QInputDialog.getText(self, "PSKC Password", f"Password of {path.name}:",
                                            QLineEdit.EchoMode.Password)  # fmt: skip
            if ok and text:
                self.import_file(path, text)
            return True

        run_task(self, lambda _p: self.services.auth.import_file(path, password),
                 title="Importing tokens", on_done=self._on_imported,
                 error_title="Import OATH Tokens", recover=ask_password)  # fmt: skip

    def _on_imported(self, report: ImportReport) -> None:
        self.reload()
        lines = [f"line {n}: rejected: {reason}" for n, reason in report.rejected]
        lines += [f"line {n}: {reason}" for n, reason in report.notes]
        messages.info(self, "Import OATH Tokens",
                      f"{report.imported} tokens imported ({report.assigned} assigned), "
                      f"{len(report.rejected)} rejected.", "\n".join(lines))  # fmt: skip

    # Assign, unassign, resync ----------------------------------------------------------------
    def _on_assign_clicked(self) -> None:
        serial = self.selected_serial()
        if serial is None:
            return
        username, ok = QInputDialog.getText(self, "Assign Token", f"Assign {serial} to (username):")
        if ok and username.strip():
            self.assign(serial, username.strip())

    def assign(self, serial: str, username: str) -> None:
        try:
            self.services.auth.assign(serial, username)
        except TokenReplaceError as exc:
            if messages.confirm(self, "Assign Token", f"{exc.message} Replace it with {serial}?"):
                self.services.auth.assign(serial, username, replace=True)
        except ConsoleError as exc:
            messages.error(self, "Assign Token", exc)
        self.reload()

    def _on_unassign_clicked(self) -> None:
        serial = self.selected_serial()
        if serial and messages.confirm(self, "Unassign Token", f"Take {serial} from its user?"):
            self.services.auth.unassign(serial)
            self.reload()

    def _on_resync_clicked(self) -> None:
        serial = self.selected_serial()
        if serial is None:
            return
        first, ok = QInputDialog.getText(self, "Resync Token", f"First code shown by {serial}:")
        if not ok:
            return
        second, ok = QInputDialog.getText(self, "Resync Token", "The next code it shows:")
        if ok:
            self.resync(serial, first, second)

    def resync(self, serial: str, first: str, second: str) -> None:
        try:
            drift = self.services.auth.resync(serial, first, second)
        except ConsoleError as exc:
            messages.error(self, "Resync Token", exc)
            return
        messages.info(self, "Resync Token", f"{serial} is resynchronised ({drift:+d} steps).")

    def _on_unblock_clicked(self) -> None:
        item = self.locked.currentItem()
        if item is not None:
            self.services.auth.unblock(str(item.data(256)))
            self.reload()
