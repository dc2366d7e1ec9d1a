"""Import from Active Directory (or LDAP): search users by name, or browse the container hierarchy
and the security groups (branches load as they open); the users of the selection are listed on
the right; **Import** creates or updates the selected ones off the GUI thread and reports counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.directory import browse
from mfa_console.core.directory.importer import ImportResult
from mfa_console.core.directory.records import ContainerScope, DirectoryUser, GroupScope
from mfa_console.core.errors import ConsoleError
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.keyboard import search_keys
from mfa_console.ui.models.directory_users import COLUMNS, DirectoryUserModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

NODE = Qt.ItemDataRole.UserRole
_LOADING = "Loading…"


class DirectoryImportDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.directory = services.directory
        self.settings = self.directory.load()
        self.tasks: list[Task] = []
        self._list_serial = 0
        name = "Active Directory" if self.settings.is_ad else "LDAP"
        self.setWindowTitle(f"Import from {name}")
        self.resize(980, 560)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name, username or email (start of it)")
        search_keys(self.search_edit, self._on_search_clicked, clear_on_escape=False)
        self.search_button = QPushButton("&Search")
        self.search_button.clicked.connect(self._on_search_clicked)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemExpanded.connect(self._on_tree_expanded)
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self.nested = QCheckBox("Include &nested groups")
        self.nested.toggled.connect(lambda _checked: self._list_current())
        self.model = DirectoryUserModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        fit_columns(self.table, COLUMNS.index("Name"))
        self.status = QLabel("Search for users, or pick a container or a security group.")
        self.status.setWordWrap(True)
        self.select_all = QPushButton("Select &All")
        self.select_all.clicked.connect(self.table.selectAll)
        self.import_button = QPushButton("&Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.reject)
        self._build()
        self._add_roots()

    def _build(self) -> None:
        search = QHBoxLayout()
        find = QLabel("&Find:")
        find.setBuddy(self.search_edit)
        search.addWidget(find)
        search.addWidget(self.search_edit, 1)
        search.addWidget(self.search_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.nested)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.status)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([320, 660])
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(search)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        if not self.settings.is_configured:
            self.status.setText(
                "<b>No directory server is configured.</b> Set it up in Directory Integration > "
                "Settings (server, base DN, bind account), then import users here."
            )
        self.setTabOrder(self.search_edit, self.search_button)
        self.setTabOrder(self.search_button, self.tree)
        self.setTabOrder(self.tree, self.nested)
        self.setTabOrder(self.nested, self.table)

    # --- tree ----------------------------------------------------------------------------
    def _add_roots(self) -> None:
        containers = QTreeWidgetItem(self.tree, ["Container Hierarchy"])
        containers.setFlags(Qt.ItemFlag.ItemIsEnabled)
        if self.settings.base_dn:
            domain = browse.root(self.settings)
            self._add_node(containers, domain.name, ("container", domain.dn), lazy=True)
        containers.setExpanded(True)
        groups = QTreeWidgetItem(self.tree, ["Security Groups"])
        groups.setFlags(Qt.ItemFlag.ItemIsEnabled)
        groups.setData(0, NODE, ("groups", ""))
        QTreeWidgetItem(groups, [_LOADING])

    def _add_node(
        self, parent: QTreeWidgetItem, text: str, node: tuple[str, str], lazy: bool
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [text])
        item.setData(0, NODE, node)
        item.setToolTip(0, node[1])
        if lazy:
            QTreeWidgetItem(item, [_LOADING])
        return item

    def _on_tree_expanded(self, item: QTreeWidgetItem) -> None:
        placeholder = item.child(0) if item.childCount() == 1 else None
        if placeholder is None or placeholder.text(0) != _LOADING:
            return
        placeholder.setText(0, _LOADING + " ")  # loading once
        kind, dn = item.data(0, NODE)
        settings, directory = self.settings, self.directory

        def work(_progress: Any) -> list[browse.Node]:
            with directory.connect(settings) as connection:
                if kind == "groups":
                    return browse.groups(connection, settings)
                return browse.children(connection, settings, dn)

        self._run(work, "Reading the directory", lambda nodes: self._fill(item, nodes))

    def _fill(self, item: QTreeWidgetItem, nodes: list[browse.Node]) -> None:
        item.takeChildren()
        for node in nodes:
            kind = "group" if node.kind == "group" else "container"
            self._add_node(item, node.name, (kind, node.dn), lazy=kind == "container")
        if not nodes:
            empty = QTreeWidgetItem(item, ["(none)"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)

    def _on_tree_current_changed(self, current: QTreeWidgetItem | None, _old: object) -> None:
        if current is not None:
            self._list_current()

    def _list_current(self) -> None:
        item = self.tree.currentItem()
        node = item.data(0, NODE) if item is not None else None
        if not node or node[0] not in ("container", "group"):
            return
        kind, dn = node
        scope = GroupScope(dn, self.nested.isChecked()) if kind == "group" else ContainerScope(dn)
        settings, directory = self.settings, self.directory
        self._list_serial += 1
        serial = self._list_serial

        def work(progress: Any) -> tuple[list[DirectoryUser], bool]:
            with directory.connect(settings) as connection:
                return browse.list_users(connection, settings, scope, progress=progress)

        label = item.text(0) if item is not None else dn
        if isinstance(scope, GroupScope) and scope.nested:
            label += " (with nested groups)"
        self.status.setText(f"Reading the users of {label}…")
        self._run(work, "Reading users", lambda found: self._show_users(found, serial, label))

    # --- search --------------------------------------------------------------------------
    def _on_search_clicked(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            return
        self._list_serial += 1
        serial = self._list_serial
        directory = self.directory
        self._run(
            lambda _p: directory.search_users(text),
            "Searching the directory",
            lambda found: self._show_users(found, serial, f"“{text}”"),
        )

    def _show_users(self, found: tuple[list[DirectoryUser], bool], serial: int, what: str) -> None:
        if serial != self._list_serial:
            return  # a newer selection or search replaced this one
        users, truncated = found
        self.model.set_users(users)
        if truncated:
            self.status.setText(
                f"The first {plural(len(users), 'user')} for {what} (the query size limit): "
                "search to narrow down, or raise the limit in Settings. Select the ones to import."
            )
        else:
            self.status.setText(
                f"{plural(len(users), 'user')} for {what}. Select the ones to import."
            )

    # --- import --------------------------------------------------------------------------
    def selected_users(self) -> list[DirectoryUser]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.user(row) for row in rows]

    def _on_import_clicked(self) -> None:
        users = self.selected_users()
        if not users:
            messages.info(
                self, self.windowTitle(), "Select the users to import (Select All takes all)."
            )
            return
        directory = self.directory
        self._run(
            lambda progress: directory.import_records(users, progress),
            f"Importing {plural(len(users), 'user')}",
            self._on_import_done,
            cancellable=True,
        )

    def _on_import_done(self, result: ImportResult) -> None:
        lines = [f"Skipped {who}: {why}" for who, why in result.skipped]
        lines += [f"Note for {who}: {note}" for who, note in result.warnings]
        messages.info(
            self, self.windowTitle(), f"Import finished: {result.summary()}.", "\n".join(lines)
        )
        self.last_result = result

    # --- helpers -------------------------------------------------------------------------
    def _run(
        self,
        work: Callable[[Any], Any],
        title: str,
        done: Callable[[Any], None],
        *,
        cancellable: bool = False,
    ) -> None:
        task = run_task(
            self,
            work,
            title=title,
            on_done=done,
            error_title=self.windowTitle(),
            cancellable=cancellable,
        )
        task.errored.connect(self._on_failed)
        self.tasks.append(task)
        task.done.connect(lambda: self.tasks.remove(task) if task in self.tasks else None)

    def _on_failed(self, exc: object) -> None:
        if isinstance(exc, ConsoleError):
            self.status.setText(exc.message)
