"""The Add Synchronization Item dialog: tabs Settings, Method Defaults and Language Defaults.

New items get Add and Cancel; an existing item gets Apply and Close, as in the original. Values
are validated by the core item (``SyncItem.validate``), never by the widgets.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError
from mfa_console.core.sync.items import (
    EMAIL_POLICIES,
    ENABLE_POLICIES,
    ON_REMOVED,
    PHONE_ATTRIBUTES,
    SyncItem,
)
from mfa_console.core.users.methods import LANGUAGES, METHODS, MODES
from mfa_console.ui import messages
from mfa_console.ui.choices import choice_combo, select_data
from mfa_console.ui.tasks import Task, run_task

COMPANY_DEFAULT = ""


class SyncItemDialog(QDialog):
    def __init__(
        self, services: Services, item: SyncItem | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.item = item
        self.saved: SyncItem | None = None
        self.checking: Task | None = None
        self.setWindowTitle("Edit Synchronization Item" if item else "Add Synchronization Item")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._settings_tab(), "&Settings")
        self.tabs.addTab(self._method_tab(), "&Method Defaults")
        self.tabs.addTab(self._language_tab(), "&Language Defaults")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(self._buttons())
        self._load(item or SyncItem(scope="container", dn=""))
        self.resize(620, self.sizeHint().height())
        self.dn.setFocus(Qt.FocusReason.OtherFocusReason)

    # Tabs ---------------------------------------------------------------------------------
    def _settings_tab(self) -> QWidget:
        self.domain = QLineEdit(self.services.directory.load().base_dn)
        self.domain.setReadOnly(True)
        self.container = QRadioButton("&Container or OU")
        self.group = QRadioButton("Security &group")
        self.container.setChecked(True)
        self.group.toggled.connect(self._on_scope_toggled)
        self.dn = QLineEdit()
        self.dn.setPlaceholderText("OU=Sales,DC=example,DC=com")
        self.browse = QPushButton("&Browse...")
        self.browse.clicked.connect(self._on_browse_clicked)
        self.nested = QCheckBox("Include nested g&roups")
        self.add_new = QCheckBox("Add ne&w users")
        self.update_existing = QCheckBox("&Update existing users")
        self.removed_check = QCheckBox("&Disable/remove users no longer a member:")
        self.on_removed = choice_combo({k: v for k, v in ON_REMOVED.items() if k != "none"})
        self.removed_check.toggled.connect(self.on_removed.setEnabled)
        self.phone = choice_combo(PHONE_ATTRIBUTES, first="(none)")
        self.backup_phone = choice_combo(PHONE_ATTRIBUTES, first="(none)")
        self.enable_policy = choice_combo(ENABLE_POLICIES)
        self.email_policy = choice_combo(EMAIL_POLICIES)
        scope = QHBoxLayout()
        scope.addWidget(self.container)
        scope.addWidget(self.group)
        scope.addStretch(1)
        dn_row = QHBoxLayout()
        dn_row.addWidget(self.dn, 1)
        dn_row.addWidget(self.browse)
        removed = QHBoxLayout()
        removed.addWidget(self.removed_check)
        removed.addWidget(self.on_removed, 1)
        form = QFormLayout()
        form.addRow("Domain:", self.domain)
        form.addRow("Import:", scope)
        dn_label = QLabel("D&N:")
        dn_label.setBuddy(self.dn)
        form.addRow(dn_label, dn_row)
        form.addRow("", self.nested)
        form.addRow("", self.add_new)
        form.addRow("", self.update_existing)
        form.addRow("", removed)
        form.addRow("Import &phone:", self.phone)
        form.addRow("Bac&kup phone:", self.backup_phone)
        form.addRow("&Enabled:", self.enable_policy)
        form.addRow("Send ema&il:", self.email_policy)
        page = QWidget()
        page.setLayout(form)
        return page

    def _method_tab(self) -> QWidget:
        self.method = choice_combo(METHODS, first="(company default)")
        self.mode = QComboBox()
        self.method.currentIndexChanged.connect(self._on_method_changed)
        form = QFormLayout()
        form.addRow("Default me&thod:", self.method)
        form.addRow("M&ode:", self.mode)
        form.addRow(QLabel("Users added by this item get these; existing users keep theirs."))
        page = QWidget()
        page.setLayout(form)
        return page

    def _language_tab(self) -> QWidget:
        form = QFormLayout()
        self.languages: dict[str, QComboBox] = {}
        for method, label in METHODS.items():
            combo = choice_combo(LANGUAGES, first="(company default)")
            self.languages[method] = combo
            form.addRow(f"{label}:", combo)
        page = QWidget()
        page.setLayout(form)
        return page

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        if self.item is None:
            self.save_button = QPushButton("&Add")
            self.close_button = QPushButton("Cancel")
        else:
            self.save_button = QPushButton("&Apply")
            self.close_button = QPushButton("Close")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        return row

    # Load / collect -----------------------------------------------------------------------
    def _load(self, item: SyncItem) -> None:
        (self.group if item.scope == "group" else self.container).setChecked(True)
        self.dn.setText(item.dn)
        self.nested.setChecked(item.nested)
        self.add_new.setChecked(item.add_new)
        self.update_existing.setChecked(item.update_existing)
        self.removed_check.setChecked(item.on_removed != "none")
        self.on_removed.setEnabled(item.on_removed != "none")
        select_data(self.on_removed, item.on_removed if item.on_removed != "none" else "disable")
        select_data(self.phone, item.phone_attribute)
        select_data(self.backup_phone, item.backup_phone_attribute)
        select_data(self.enable_policy, item.enable_policy)
        select_data(self.email_policy, item.email_policy)
        select_data(self.method, item.method)
        self._on_method_changed()
        select_data(self.mode, item.mode)
        for method, combo in self.languages.items():
            select_data(combo, item.languages.get(method, COMPANY_DEFAULT))
        self._on_scope_toggled()

    def value(self) -> SyncItem:
        languages = {m: str(c.currentData()) for m, c in self.languages.items() if c.currentData()}
        return SyncItem(
            scope="group" if self.group.isChecked() else "container",
            dn=self.dn.text().strip(),
            nested=self.group.isChecked() and self.nested.isChecked(),
            domain=self.domain.text(),
            add_new=self.add_new.isChecked(),
            update_existing=self.update_existing.isChecked(),
            on_removed=str(self.on_removed.currentData())
            if self.removed_check.isChecked()
            else "none",
            phone_attribute=str(self.phone.currentData()),
            backup_phone_attribute=str(self.backup_phone.currentData()),
            enable_policy=str(self.enable_policy.currentData()),
            email_policy=str(self.email_policy.currentData()),
            method=str(self.method.currentData()),
            mode=str(self.mode.currentData() or ""),
            languages=languages,
            id=self.item.id if self.item else None,
            position=self.item.position if self.item else 0,
        )

    # Slots --------------------------------------------------------------------------------
    def _on_scope_toggled(self) -> None:
        self.nested.setEnabled(self.group.isChecked())

    def _on_method_changed(self) -> None:
        method = str(self.method.currentData())
        self.mode.clear()
        if not method:
            self.mode.addItem("(company default)", "")
            self.mode.setEnabled(False)
            return
        self.mode.setEnabled(True)
        for key, label in MODES[method].items():
            self.mode.addItem(label, key)

    def _on_browse_clicked(self) -> None:
        from mfa_console.ui.dialogs.directory_picker import DirectoryPickerDialog

        view = "group" if self.group.isChecked() else "container"
        picker = DirectoryPickerDialog(self.services, view, self)
        if picker.exec() and picker.selected_dn():
            (self.group if picker.kind() == "group" else self.container).setChecked(True)
            self.dn.setText(picker.selected_dn())

    def _on_save_clicked(self) -> None:
        try:
            value = self.value()
            value.validate()
        except ConsoleError as exc:
            messages.error(self, self.windowTitle(), exc)
            return
        if self.item is not None and (value.scope, value.dn) == (self.item.scope, self.item.dn):
            self._save(value, "")
            return
        # A new container or group is looked up in the directory first (off the GUI thread).
        self.save_button.setEnabled(False)
        self.checking = run_task(
            self,
            lambda _token: self.services.sync.check_item(value),
            title="Checking the directory",
            on_done=lambda warning: self._save(value, str(warning)),
            error_title=self.windowTitle(),
        )
        self.checking.errored.connect(lambda _exc: self.save_button.setEnabled(True))

    def _save(self, value: SyncItem, warning: str) -> None:
        self.save_button.setEnabled(True)
        try:
            items = self.services.sync.items
            self.saved = items.update(value) if self.item else items.add(value)
        except ConsoleError as exc:
            messages.error(self, self.windowTitle(), exc)
            return
        if warning:
            messages.warning(self, self.windowTitle(), f"The item was saved. {warning}")
        if self.item is None:
            self.accept()
        else:
            self.item = self.saved

    def _on_close_clicked(self) -> None:
        if self.saved is not None:
            self.accept()
        else:
            self.reject()
