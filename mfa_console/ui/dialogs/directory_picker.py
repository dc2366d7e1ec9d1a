"""Pick an OU/container or a security group from the directory, loaded lazily off the GUI thread.

The View list switches between the container hierarchy (branches load as they open) and the
security groups. Used by the Add Synchronization Item dialog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.directory import browse
from mfa_console.ui.tasks import Task, run_task

DN_ROLE = Qt.ItemDataRole.UserRole
_LOADING = "Loading..."
VIEWS = {"container": "Containers and OUs", "group": "Security Groups"}


class DirectoryPickerDialog(QDialog):
    def __init__(self, services: Services, view: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Select from the Directory")
        self.resize(480, 520)
        self.directory = services.directory
        self.settings = self.directory.load()
        self.tasks: list[Task] = []
        self.view = QComboBox()
        for key, text in VIEWS.items():
            self.view.addItem(text, key)
        self.view.setCurrentIndex(max(self.view.findData(view), 0))
        self.view.currentIndexChanged.connect(self._reload)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemExpanded.connect(self._on_tree_expanded)
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._ok(False)
        row = QHBoxLayout()
        view_label = QLabel("&View:")
        view_label.setBuddy(self.view)
        row.addWidget(view_label)
        row.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self._reload()

    def kind(self) -> str:
        return str(self.view.currentData())

    def selected_dn(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(0, DN_ROLE) or "") if item is not None else ""

    def _ok(self, enabled: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enabled)

    def _reload(self) -> None:
        self.tree.clear()
        if self.kind() == "group":
            top = QTreeWidgetItem(self.tree, ["Security Groups"])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
        else:
            domain = browse.root(self.settings)
            top = self._node(self.tree.invisibleRootItem(), domain.name, domain.dn)
        QTreeWidgetItem(top, [_LOADING])
        top.setExpanded(True)

    def _node(self, parent: QTreeWidgetItem, text: str, dn: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [text])
        item.setData(0, DN_ROLE, dn)
        item.setToolTip(0, dn)
        return item

    def _on_tree_expanded(self, item: QTreeWidgetItem) -> None:
        placeholder = item.child(0) if item.childCount() == 1 else None
        if placeholder is None or placeholder.text(0) != _LOADING:
            return
        placeholder.setText(0, _LOADING + " ")
        settings, directory, dn = self.settings, self.directory, item.data(0, DN_ROLE)
        groups = self.kind() == "group"

        def work(_progress: Any) -> list[browse.Node]:
            with directory.connect(settings) as connection:
                if groups:
                    return browse.groups(connection, settings)
                return browse.children(connection, settings, str(dn))

        task = run_task(
            self,
            work,
            title="Reading the directory",
            on_done=lambda nodes: self._fill(item, nodes, not groups),
            error_title=self.windowTitle(),
        )
        self.tasks.append(task)

    def _fill(self, item: QTreeWidgetItem, nodes: list[browse.Node], lazy: bool) -> None:
        item.takeChildren()
        for node in nodes:
            child = self._node(item, node.name, node.dn)
            if lazy:
                QTreeWidgetItem(child, [_LOADING])
        if not nodes:
            QTreeWidgetItem(item, ["(none)"]).setFlags(Qt.ItemFlag.NoItemFlags)

    def _on_tree_current_changed(self, current: QTreeWidgetItem | None, _old: object) -> None:
        self._ok(bool(current is not None and current.data(0, DN_ROLE)))
