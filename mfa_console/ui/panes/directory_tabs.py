"""The Settings, Filters and Attributes tabs of Directory Integration. Each tab shows a
``DirectorySettings`` (``load``) and writes its part back (``apply``); core validates."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
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
    AD_FILTERS,
    BIND_TYPES,
    ID_TYPES,
    LDAP_FILTERS,
    SECURITY,
    AttributeMap,
    DirectorySettings,
    base_dn_of,
)
from mfa_console.ui.choices import choice_combo, select_data


class SettingsTab(QWidget):
    """Which directory, servers, security, CA file, bind, password, limits, and Test."""

    kind_changed = Signal(str)
    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.use_ad = QRadioButton("Use &Active Directory")
        self.use_ldap = QRadioButton("Use specific &LDAP configuration")
        kinds = QButtonGroup(self)
        kinds.addButton(self.use_ad)
        kinds.addButton(self.use_ldap)
        self.use_ad.toggled.connect(self._on_kind_toggled)
        self.attribute_scope = QCheckBox("Use attribute sc&ope queries")
        self.attribute_scope.setToolTip(
            "Read a group's direct members with one query on its member attribute, wherever "
            "they are in the domain. Untick when groups have members in other domains."
        )
        self.servers = QLineEdit()
        self.servers.setPlaceholderText("ldaps://dc1.example.com; ldaps://dc2.example.com")
        self.servers.setToolTip("The first server is used; the next ones are backups, in order.")
        self.domain = QLineEdit()
        self.domain.setPlaceholderText("corp.example.com")
        self.domain.setToolTip(
            "Active Directory: with no servers above, the domain controllers are found through "
            "DNS (SRV records), in the order DNS gives; an empty base DN is made from it."
        )
        self.domain.textChanged.connect(self._update_servers_hint)
        self.dns_server = QLineEdit()
        self.dns_server.setPlaceholderText("empty: this computer's DNS servers")
        self.dns_server.setToolTip(
            "Ask this DNS server (address[:port]) for the domain controllers, e.g. when this "
            "computer does not use the domain's DNS."
        )
        self.security = choice_combo(SECURITY)
        self.security.currentIndexChanged.connect(self._update_warning)
        self.security_warning = QLabel(
            "Without TLS the bind password and user data travel in clear text."
        )
        self.security_warning.setStyleSheet("color: #a33;")
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("empty: the system's trusted certificates")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        self.base_dn = QLineEdit()
        self.base_dn.setPlaceholderText("DC=example,DC=com")
        self.bind = choice_combo(BIND_TYPES)
        self.bind.currentIndexChanged.connect(self._update_bind)
        self.bind_dn = QLineEdit()
        self.bind_dn.setPlaceholderText(
            "CN=svc-mfa,OU=Service,DC=example,DC=com or svc@example.com"
        )
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.page_size = self._spin(1, 100_000, "")
        self.size_limit = self._spin(0, 1_000_000, " users")
        self.size_limit.setSpecialValueText("No limit")
        self.size_limit.setToolTip(
            "The most users the Import dialog lists for a search or a selection. Importing a "
            "whole container or group and synchronizing always read every user."
        )
        self.connect_timeout = self._spin(1, 300, " s")
        self.search_timeout = self._spin(1, 3600, " s")
        self.test_button = QPushButton("Te&st")
        self.test_button.setToolTip(
            "Check name, TCP, TLS, bind and a sample search, stage by stage"
        )
        self.test_button.clicked.connect(self.test_requested)
        self._build(ca_row)

    @staticmethod
    def _spin(low: int, high: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        return spin

    def _build(self, ca_row: QHBoxLayout) -> None:
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
        form.addRow("S&ervers:", self.servers)
        self.domain_label = QLabel("Do&main:")
        self.domain_label.setBuddy(self.domain)
        form.addRow(self.domain_label, self.domain)
        self.dns_label = QLabel("DNS se&rver:")
        self.dns_label.setBuddy(self.dns_server)
        form.addRow(self.dns_label, self.dns_server)
        form.addRow("Sec&urity:", self.security)
        form.addRow("", self.security_warning)
        ca_label = QLabel("&CA file:")
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        form.addRow("Base &DN:", self.base_dn)
        form.addRow("Bind t&ype:", self.bind)
        form.addRow("B&ind DN or UPN:", self.bind_dn)
        form.addRow("Bind &password:", self.password)
        form.addRow("Page si&ze:", self.page_size)
        form.addRow("&Query size limit:", self.size_limit)
        form.addRow("Co&nnect timeout:", self.connect_timeout)
        form.addRow("Search timeout:", self.search_timeout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(directory)
        layout.addWidget(connection)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def load(self, settings: DirectorySettings, has_password: bool) -> None:
        (self.use_ldap if settings.kind == "ldap" else self.use_ad).setChecked(True)
        self.servers.setText("; ".join(settings.servers))
        self.domain.setText(settings.domain)
        self.attribute_scope.setChecked(settings.attribute_scope_queries)
        self.dns_server.setText(settings.dns_server)
        select_data(self.security, settings.security)
        self.ca_file.setText(settings.ca_file)
        self.base_dn.setText(settings.base_dn)
        select_data(self.bind, settings.bind)
        self.bind_dn.setText(settings.bind_dn)
        self.password.clear()
        self.password.setPlaceholderText(
            "stored in the OS keyring (type to replace)" if has_password else "not stored yet"
        )
        self.page_size.setValue(settings.page_size)
        self.size_limit.setValue(settings.size_limit)
        self.connect_timeout.setValue(settings.connect_timeout)
        self.search_timeout.setValue(settings.search_timeout)
        self._update_warning()
        self._update_bind()
        self._update_servers_hint()

    def apply(self, settings: DirectorySettings) -> DirectorySettings:
        servers = tuple(s.strip() for s in self.servers.text().replace(",", ";").split(";"))
        domain = self.domain.text().strip()
        base_dn = self.base_dn.text().strip() or (base_dn_of(domain) if domain else "")
        return dataclasses.replace(
            settings,
            kind="ldap" if self.use_ldap.isChecked() else "ad",
            servers=tuple(s for s in servers if s),
            domain=domain,
            attribute_scope_queries=self.attribute_scope.isChecked(),
            dns_server=self.dns_server.text().strip(),
            security=str(self.security.currentData()),
            ca_file=self.ca_file.text().strip(),
            base_dn=base_dn,
            bind=str(self.bind.currentData()),
            bind_dn=self.bind_dn.text().strip(),
            page_size=self.page_size.value(),
            size_limit=self.size_limit.value(),
            connect_timeout=self.connect_timeout.value(),
            search_timeout=self.search_timeout.value(),
        )

    def typed_password(self) -> str | None:
        """The password typed in the field (None when left empty: keep the stored one)."""
        return self.password.text() or None

    def _on_kind_toggled(self) -> None:
        self._update_servers_hint()
        self.kind_changed.emit("ldap" if self.use_ldap.isChecked() else "ad")

    def _update_servers_hint(self) -> None:
        """Domain and DNS server are Active Directory's; its servers may then stay empty."""
        ad = not self.use_ldap.isChecked()
        for widget in (self.domain_label, self.domain, self.dns_label, self.dns_server):
            widget.setVisible(ad)
        self.attribute_scope.setEnabled(ad)
        self.servers.setPlaceholderText(
            "empty: the domain controllers of the domain below, from DNS"
            if ad and self.domain.text().strip()
            else "ldaps://dc1.example.com; ldaps://dc2.example.com"
        )

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "CA certificate",
            self.ca_file.text(),
            "PEM certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if path:
            self.ca_file.setText(path)

    def _update_warning(self) -> None:
        self.security_warning.setVisible(self.security.currentData() == "none")

    def _update_bind(self) -> None:
        simple = self.bind.currentData() == "simple"
        self.bind_dn.setEnabled(simple)
        self.password.setEnabled(simple)


class FiltersTab(QWidget):
    """Container, security group and user filters, with Restore Defaults."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = "ad"
        self.container_filter = QLineEdit()
        self.group_filter = QLineEdit()
        self.user_filter = QLineEdit()
        restore = QPushButton("&Restore Defaults")
        restore.clicked.connect(self.restore_defaults)
        form = QFormLayout()
        form.addRow("C&ontainer filter:", self.container_filter)
        form.addRow("Security &group filter:", self.group_filter)
        form.addRow("&User filter:", self.user_filter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(restore)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addStretch(1)

    def load(self, settings: DirectorySettings) -> None:
        self._kind = settings.kind
        for name in ("container_filter", "group_filter", "user_filter"):
            getattr(self, name).setText(getattr(settings, name))

    def apply(self, settings: DirectorySettings) -> DirectorySettings:
        return dataclasses.replace(
            settings,
            container_filter=self.container_filter.text().strip(),
            group_filter=self.group_filter.text().strip(),
            user_filter=self.user_filter.text().strip(),
        )

    def set_kind(self, kind: str) -> None:
        """Switch to the other kind's defaults if the filters are still the old kind's."""
        old = LDAP_FILTERS if self._kind == "ldap" else AD_FILTERS
        self._kind = kind
        if all(getattr(self, k).text() == v for k, v in old.items()):
            self.restore_defaults()

    def restore_defaults(self) -> None:
        for name, value in (LDAP_FILTERS if self._kind == "ldap" else AD_FILTERS).items():
            getattr(self, name).setText(value)


_ATTRIBUTE_LABELS = {
    "unique_id": "Unique &identifier",
    "dn": "Distinguished name",
    "container_name": "Container name",
    "group_name": "Security group name",
    "username": "User&name",
    "username_backup": "Username (backup)",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "user_group": "User group",
    "description": "Description",
    "language_phone_call": "Phone call language",
    "language_text_message": "Text message language",
    "language_mobile_app": "Mobile app language",
    "language_oath_token": "OATH token language",
    "business_phone": "&Business phone",
    "home_phone": "Home phone",
    "pager": "Pager",
    "mobile_phone": "Mobile phone",
    "fax": "Fax",
    "ip_phone": "IP phone",
    "custom": "Custom",
    "extension": "Extension",
}
_LEFT = ("unique_id", "dn", "container_name", "group_name", "username", "username_backup",
         "first_name", "last_name", "email", "user_group", "description")  # fmt: skip


class AttributesTab(QWidget):
    """The attribute mapping, with Restore Defaults."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = "ad"
        self.fields: dict[str, QLineEdit] = {}
        self.id_type = choice_combo(ID_TYPES)
        left, right = QFormLayout(), QFormLayout()
        for name, label in _ATTRIBUTE_LABELS.items():
            edit = QLineEdit()
            edit.setPlaceholderText("not mapped")
            self.fields[name] = edit
            form = left if name in _LEFT else right
            form.addRow(f"{label}:", edit)
            if name == "unique_id":
                form.addRow("Unique identifier t&ype:", self.id_type)
        note = QLabel(
            "A phone like 555-123-4567 x890 is split into the number and the extension when "
            "no extension attribute is mapped."
        )
        note.setWordWrap(True)
        right.addRow(note)
        restore = QPushButton("&Restore Defaults")
        restore.clicked.connect(self.restore_defaults)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setHorizontalSpacing(24)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(restore)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(row)
        layout.addStretch(1)

    def load(self, settings: DirectorySettings) -> None:
        self._kind = settings.kind
        self._show(settings.attributes)

    def _show(self, amap: AttributeMap) -> None:
        for name, edit in self.fields.items():
            edit.setText(getattr(amap, name))
        select_data(self.id_type, amap.unique_id_type)

    def apply(self, settings: DirectorySettings) -> DirectorySettings:
        values = {name: edit.text().strip() for name, edit in self.fields.items()}
        amap = AttributeMap(unique_id_type=str(self.id_type.currentData()), **values)
        return dataclasses.replace(settings, attributes=amap)

    def set_kind(self, kind: str) -> None:
        old = AttributeMap.defaults(self._kind)
        current = self.apply(DirectorySettings()).attributes
        self._kind = kind
        if current == old:
            self.restore_defaults()

    def restore_defaults(self) -> None:
        self._show(AttributeMap.defaults(self._kind))
