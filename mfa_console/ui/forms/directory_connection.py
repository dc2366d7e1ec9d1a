"""The directory connection form: which directory, servers, security, CA file, bind, base DN,
limits and a Test button. Directory Integration > Settings and the guided setup's directory step
embed it; the pane adds its Filters and Attributes tabs as ``parts`` of the same settings group.

Parsing and rules are core's (``DirectorySettings.with_connection`` / ``with_kind``): server lists,
the base DN made from the domain, the other kind's defaults, keep / replace / delete of the stored
bind password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.directory.settings import (
    BIND_TYPES,
    KINDS,
    SECURITY,
    DirectorySettings,
    format_servers,
)
from mfa_console.core.errors import ConsoleError
from mfa_console.core.secrets import password_change
from mfa_console.ui.choices import choice_combo, select_data
from mfa_console.ui.forms.base import SettingsForm, buddy

if TYPE_CHECKING:
    from mfa_console.core.directory.service import DirectoryService


class DirectoryPart(Protocol):
    """Another tab of the same settings group (filters, attribute mapping)."""

    def load(self, settings: DirectorySettings) -> None: ...

    def apply(self, settings: DirectorySettings) -> DirectorySettings: ...


class DirectoryConnectionForm(SettingsForm):
    TITLE = "Directory connection"
    test_requested = Signal()

    def __init__(
        self, directory: DirectoryService, parent: QWidget | None = None, *, compact: bool = False
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self.parts: list[DirectoryPart] = []
        self._has_password = False
        self._build_inputs()
        self._build(compact)
        self.watch(
            self.use_ad, self.attribute_scope, self.servers, self.domain, self.dns_server,
            self.security, self.ca_file, self.base_dn, self.bind, self.bind_dn, self.password,
            self.page_size, self.size_limit, self.connect_timeout, self.search_timeout,
        )  # fmt: skip

    # Building -------------------------------------------------------------------------------
    def _build_inputs(self) -> None:
        self.use_ad = QRadioButton("Use &Active Directory")
        self.use_ldap = QRadioButton("Use specific &LDAP configuration")
        kinds = QButtonGroup(self)
        kinds.addButton(self.use_ad)
        kinds.addButton(self.use_ldap)
        self.use_ad.toggled.connect(self._on_kind_toggled)
        self.attribute_scope = QCheckBox("Use attribute scope &queries")
        self.attribute_scope.setToolTip(
            "Read a group's direct members with one query on its member attribute, wherever "
            "they are in the domain. Untick when groups have members in other domains."
        )
        self.servers = QLineEdit()
        self.servers.setToolTip(
            "The first server is used; the next ones are backups, in order (separate them "
            "with ; or spaces)."
        )
        self.domain = QLineEdit(placeholderText="corp.example.com")
        self.domain.setToolTip(
            "Active Directory: with no servers above, the domain controllers are found through "
            "DNS (SRV records), in the order DNS gives; an empty base DN is made from it."
        )
        self.domain.textChanged.connect(self._update_hints)
        self.dns_server = QLineEdit(placeholderText="empty: this computer's DNS servers")
        self.dns_server.setToolTip(
            "Ask this DNS server (address[:port]) for the domain controllers, e.g. when this "
            "computer does not use the domain's DNS."
        )
        self.security = choice_combo(SECURITY)
        self.security.currentIndexChanged.connect(self._update_hints)
        self.security_warning = QLabel(
            "Without TLS the bind password and user data travel in clear text."
        )
        self.security_warning.setStyleSheet("color: #a33;")
        self.security_warning.setWordWrap(True)
        self.ca_file = QLineEdit(placeholderText="empty: the system's trusted certificates")
        self.browse = QPushButton("Bro&wse…")
        self.browse.clicked.connect(self._on_browse_clicked)
        self.base_dn = QLineEdit()
        self.bind = choice_combo(BIND_TYPES)
        self.bind.currentIndexChanged.connect(self._update_hints)
        self.bind_dn = QLineEdit(placeholderText="CN=svc-mfa,OU=Service,DC=example,DC=com")
        self.bind_dn.setToolTip("The bind account's DN, or its user principal name")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.page_size = _spin(1, 100_000, "")
        self.size_limit = _spin(0, 1_000_000, " users")
        self.size_limit.setSpecialValueText("No limit")
        self.size_limit.setToolTip(
            "The most users the Import dialog lists for a search or a selection. Importing a "
            "whole container or group and synchronizing always read every user."
        )
        self.connect_timeout = _spin(1, 300, " s")
        self.search_timeout = _spin(1, 3600, " s")
        self.test_button = QPushButton("Test")
        self.test_button.setToolTip("Check name, TCP, TLS, bind and a sample search, as typed")
        self.test_button.clicked.connect(self.test_requested)

    def _build(self, compact: bool) -> None:
        directory = QGroupBox("Directory")
        kind_box = QVBoxLayout(directory)
        kind_box.addWidget(self.use_ad)
        indented = QHBoxLayout()
        indented.addSpacing(24)
        indented.addWidget(self.attribute_scope)
        kind_box.addLayout(indented)
        kind_box.addWidget(self.use_ldap)
        connection = QGroupBox("Connection")
        form = QFormLayout(connection)
        form.addRow(buddy("Ser&vers:", self.servers), self.servers)
        self.domain_label = buddy("Do&main:", self.domain)
        form.addRow(self.domain_label, self.domain)
        self.dns_label = buddy("DNS se&rver:", self.dns_server)
        form.addRow(self.dns_label, self.dns_server)
        form.addRow(buddy("S&ecurity:", self.security), self.security)
        form.addRow("", self.security_warning)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.browse)
        form.addRow(buddy("&CA file:", self.ca_file), ca_row)
        form.addRow(buddy("Base &DN:", self.base_dn), self.base_dn)
        form.addRow(buddy("Bind t&ype:", self.bind), self.bind)
        form.addRow(buddy("Bind DN or &UPN:", self.bind_dn), self.bind_dn)
        form.addRow(buddy("Bind &password:", self.password), self.password)
        if not compact:
            form.addRow(buddy("Pa&ge size:", self.page_size), self.page_size)
            form.addRow(buddy("Query si&ze limit:", self.size_limit), self.size_limit)
            form.addRow(buddy("Connect time&out:", self.connect_timeout), self.connect_timeout)
            form.addRow(buddy("Search timeout:", self.search_timeout), self.search_timeout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(directory)
        layout.addWidget(connection)
        layout.addLayout(buttons)
        layout.addStretch(1)

    # SettingsForm ---------------------------------------------------------------------------
    def stored(self) -> DirectorySettings:
        try:
            self._has_password = self.directory.has_password()
        except ConsoleError:
            self._has_password = False
        return self.directory.load()

    def show_value(self, value: DirectorySettings) -> None:
        (self.use_ldap if value.kind == "ldap" else self.use_ad).setChecked(True)
        self.servers.setText(format_servers(value.servers))
        self.domain.setText(value.domain)
        self.attribute_scope.setChecked(value.attribute_scope_queries)
        self.dns_server.setText(value.dns_server)
        select_data(self.security, value.security)
        self.ca_file.setText(value.ca_file)
        self.base_dn.setText(value.base_dn)
        select_data(self.bind, value.bind)
        self.bind_dn.setText(value.bind_dn)
        self.password.clear()
        self.password.setPlaceholderText(
            "stored in the OS keyring (type to replace)" if self._has_password else "not stored"
        )
        self.page_size.setValue(value.page_size)
        self.size_limit.setValue(value.size_limit)
        self.connect_timeout.setValue(value.connect_timeout)
        self.search_timeout.setValue(value.search_timeout)
        for part in self.parts:
            part.load(value)
        self._update_hints()

    def value(self) -> DirectorySettings:
        settings = self._stored if self._stored is not None else DirectorySettings()
        for part in self.parts:
            settings = part.apply(settings)
        return settings.with_kind(self.kind()).with_connection(
            servers=self.servers.text(),
            domain=self.domain.text().strip(),
            attribute_scope_queries=self.attribute_scope.isChecked(),
            dns_server=self.dns_server.text().strip(),
            security=str(self.security.currentData()),
            ca_file=self.ca_file.text().strip(),
            base_dn=self.base_dn.text().strip(),
            bind=str(self.bind.currentData()),
            bind_dn=self.bind_dn.text().strip(),
            page_size=self.page_size.value(),
            size_limit=self.size_limit.value(),
            connect_timeout=self.connect_timeout.value(),
            search_timeout=self.search_timeout.value(),
        )

    def password_typed(self) -> bool:
        return bool(self.password.text())

    def typed_password(self) -> str | None:
        """What to do with the stored password: None keeps it, a text replaces, "" deletes."""
        return password_change(self.password.text(), needed=self.bind.currentData() == "simple")

    def store(self, value: DirectorySettings) -> None:
        self.directory.save(value, self.typed_password())

    def summary(self) -> str:
        value = self.value()
        where = format_servers(value.servers) or (
            f"controllers of {value.domain}" if value.domain else "(no server)"
        )
        return f"{KINDS[value.kind]}: {where}"

    def add_part(self, part: DirectoryPart) -> None:
        self.parts.append(part)

    def kind(self) -> str:
        return "ldap" if self.use_ldap.isChecked() else "ad"

    # Slots ----------------------------------------------------------------------------------
    def _on_kind_toggled(self) -> None:
        self._update_hints()
        if self._loading or self._stored is None:
            return
        # The other kind's filters and attributes, where they were still the defaults (core rule)
        settings = self._stored
        for part in self.parts:
            settings = part.apply(settings)
        switched = settings.with_kind(self.kind())
        for part in self.parts:
            part.load(switched)

    def _update_hints(self) -> None:
        ad = not self.use_ldap.isChecked()
        for widget in (self.domain_label, self.domain, self.dns_label, self.dns_server):
            widget.setVisible(ad)
        self.attribute_scope.setEnabled(ad)
        self.servers.setPlaceholderText(
            "empty: the domain controllers of the domain below, from DNS"
            if ad and self.domain.text().strip()
            else "ldaps://dc1.example.com; ldaps://dc2.example.com"
        )
        self.base_dn.setPlaceholderText(
            "empty: from the domain" if ad and self.domain.text().strip() else "DC=example,DC=com"
        )
        self.security_warning.setVisible(self.security.currentData() == "none")
        simple = self.bind.currentData() == "simple"
        self.bind_dn.setEnabled(simple)
        self.password.setEnabled(simple)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "CA certificate",
            self.ca_file.text(),
            "PEM certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if path:
            self.ca_file.setText(path)


def _spin(low: int, high: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    return spin
