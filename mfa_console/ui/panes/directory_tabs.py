"""The Filters and Attributes tabs of Directory Integration: parts of the directory connection form
(``forms/directory_connection.py``). Each shows a ``DirectorySettings`` (``load``) and writes its
part back (``apply``); core validates and switches defaults with the kind."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mfa_console.core.directory.settings import (
    AD_FILTERS,
    ATTRIBUTE_LABELS,
    ID_TYPES,
    LDAP_FILTERS,
    AttributeMap,
    DirectorySettings,
)
from mfa_console.ui.choices import choice_combo, select_data


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

    def inputs(self) -> list[QWidget]:
        return [self.container_filter, self.group_filter, self.user_filter]

    def restore_defaults(self) -> None:
        for name, value in (LDAP_FILTERS if self._kind == "ldap" else AD_FILTERS).items():
            getattr(self, name).setText(value)


# The core's labels (one list for the pane and the messages), a few with a mnemonic.
_MNEMONICS = {"unique_id": "Uni&que identifier", "username": "&Username",
              "business_phone": "Business &phone"}  # fmt: skip
_ATTRIBUTE_LABELS = {
    name: _MNEMONICS.get(name, label)
    for name, label in ATTRIBUTE_LABELS.items()
    if name != "unique_id_type"  # a choice of its own beside the identifier
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

    def inputs(self) -> list[QWidget]:
        return [*self.fields.values(), self.id_type]

    def restore_defaults(self) -> None:
        self._show(AttributeMap.defaults(self._kind))
