"""The RADIUS Authentication pane's Clients and Target tabs. The lists save on their dialogs'
OK; ports and the target choice are saved by the pane's Save."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.config import RadiusClient, RadiusConfig, RadiusTarget
from mfa_console.core.radius.settings import RadiusSettings
from mfa_console.ui import messages
from mfa_console.ui.dialogs.radius_client import RadiusClientDialog
from mfa_console.ui.dialogs.radius_target import RadiusTargetDialog
from mfa_console.ui.sizing import fit_columns

CLIENT_COLUMNS = ("IP address / subnet", "Application name", "User match", "Fallback OATH",
                  "Code", "Message-Authenticator")  # fmt: skip
WINDOWS_DOMAIN_NOTE = (
    "Windows domain is not offered: checking a password against a domain without LDAP needs "
    "the machine joined to it (Kerberos or NTLM through the operating system), which cannot "
    "be done or tested from here. LDAP bind to a domain controller checks the same password "
    "and reports expired, locked and disabled accounts."
)


def _port() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 65535)
    return box


def _buttons(*names: str) -> tuple[QHBoxLayout, list[QPushButton]]:
    row = QHBoxLayout()
    buttons = [QPushButton(name) for name in names]
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row, buttons


class ClientsTab(QWidget):
    def __init__(self, config: RadiusConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.clients: list[RadiusClient] = []
        self.auth_port = _port()
        self.acct_port = _port()
        ports = QFormLayout()
        ports.addRow("Authentication &port:", self.auth_port)
        ports.addRow("A&ccounting port:", self.acct_port)
        self.table = QTableWidget(0, len(CLIENT_COLUMNS))
        self.table.setHorizontalHeaderLabels(CLIENT_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, CLIENT_COLUMNS.index("Application name"))
        self.table.doubleClicked.connect(self.edit)
        row, (self.add_button, self.edit_button, self.remove_button) = _buttons(
            "&Add...", "&Edit...", "&Remove"
        )
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        layout = QVBoxLayout(self)
        layout.addLayout(ports)
        layout.addWidget(QLabel("Clients (VPN servers, gateways) allowed to send requests:"))
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def load(self, settings: RadiusSettings) -> None:
        self.auth_port.setValue(settings.auth_port)
        self.acct_port.setValue(settings.acct_port)
        self.reload_clients()

    def apply(self, settings: RadiusSettings) -> dict[str, int]:
        return {"auth_port": self.auth_port.value(), "acct_port": self.acct_port.value()}

    def reload_clients(self) -> None:
        self.clients = self.config.clients()
        self.table.setRowCount(len(self.clients))
        for index, client in enumerate(self.clients):
            cells = (
                client.address, client.name, "Yes" if client.require_user_match else "No",
                "Yes" if client.fallback_oath else "No",
                "Appended" if client.append_code else "Challenge",
                "Required" if client.message_authenticator else "NOT REQUIRED",
            )  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not client.message_authenticator:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(index, column, item)

    def selected(self) -> RadiusClient | None:
        row = self.table.currentRow()
        return self.clients[row] if 0 <= row < len(self.clients) else None

    def add(self) -> None:
        if RadiusClientDialog(self.config, None, self).exec():
            self.reload_clients()

    def edit(self) -> None:
        client = self.selected()
        if client is not None and RadiusClientDialog(self.config, client, self).exec():
            self.reload_clients()

    def remove(self) -> None:
        client = self.selected()
        if client is None or not messages.confirm(
            self, "Remove RADIUS Client", f"Remove the client {client.address}?",
            "Its requests will be dropped from now on.",
        ):  # fmt: skip
            return
        _try(self, "Remove RADIUS Client", lambda: self.config.remove_client(client.address))
        self.reload_clients()


class TargetTab(QWidget):
    TARGETS = (("ldap", "&LDAP bind"), ("radius", "&RADIUS server(s)"), ("none", "&None"))

    def __init__(self, config: RadiusConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.targets: list[RadiusTarget] = []
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        notes = {
            "ldap": "The Directory Integration connection; the password is checked by binding "
            "as the user over LDAPS or StartTLS.",
            "radius": "Upstream RADIUS servers, tried in this order. What they return (Class, "
            "Filter-Id, Tunnel-*, vendor attributes) reaches the client.",
            "none": "The one-time code alone, with no password check.",
        }
        for key, title in self.TARGETS:
            radio = QRadioButton(title)
            self.group.addButton(radio)
            self.radios[key] = radio
            layout.addWidget(radio)
            note = QLabel(notes[key])
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 4)
            layout.addWidget(note)
            if key == "radius":
                self.servers = QListWidget()
                layout.addWidget(self.servers, 1)
                row, buttons = _buttons("&Add...", "&Edit...", "Re&move", "Move &Up",
                                        "Move &Down")  # fmt: skip
                self.add_button, self.edit_button, self.remove_button, up, down = buttons
                self.add_button.clicked.connect(self.add)
                self.edit_button.clicked.connect(self.edit)
                self.remove_button.clicked.connect(self.remove)
                up.clicked.connect(lambda: self.move_server(-1))
                down.clicked.connect(lambda: self.move_server(1))
                layout.addLayout(row)
        windows = QLabel(WINDOWS_DOMAIN_NOTE)
        windows.setWordWrap(True)
        layout.addWidget(windows)

    def load(self, settings: RadiusSettings) -> None:
        self.radios[settings.target].setChecked(True)
        self.reload_servers()

    def apply(self, settings: RadiusSettings) -> dict[str, str]:
        chosen = next((k for k, r in self.radios.items() if r.isChecked()), settings.target)
        return {"target": chosen}

    def reload_servers(self, select: int | None = None) -> None:
        self.targets = self.config.targets()
        self.servers.clear()
        for target in self.targets:
            self.servers.addItem(
                f"{target.host}  (authentication {target.auth_port}, accounting {target.acct_port})"
            )
        if select is not None and 0 <= select < len(self.targets):
            self.servers.setCurrentRow(select)

    def selected(self) -> RadiusTarget | None:
        row = self.servers.currentRow()
        return self.targets[row] if 0 <= row < len(self.targets) else None

    def add(self) -> None:
        if RadiusTargetDialog(self.config, None, self).exec():
            self.reload_servers()

    def edit(self) -> None:
        target = self.selected()
        if target is not None and RadiusTargetDialog(self.config, target, self).exec():
            self.reload_servers()

    def remove(self) -> None:
        target = self.selected()
        if target is None or not messages.confirm(
            self, "Remove RADIUS Server", f"Remove the server {target.key}?"
        ):
            return
        _try(self, "Remove RADIUS Server", lambda: self.config.remove_target(target.key))
        self.reload_servers()

    def move_server(self, offset: int) -> None:
        target = self.selected()
        if target is None:
            return
        row = self.servers.currentRow()
        _try(self, "Move RADIUS Server", lambda: self.config.move_target(target.key, offset))
        self.reload_servers(select=row + offset)


def _try(parent: QWidget, title: str, action: Callable[[], None]) -> None:
    try:
        action()
    except ConsoleError as exc:
        messages.error(parent, title, exc)
