"""The Users pane: search, sort and act on the users, page by page, at any number of users.

Buttons and shortcuts: Add... (Ctrl+N), Edit... (Enter), Remove (Del, after a confirmation),
Enable, Disable; Ctrl+F goes to the search box. "Import from Active Directory", "Send Email" and
"Test" are wired by their features through ``set_import_handler`` and friends; until then they are
disabled and their tooltip says what they will do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.progress import Progress, check_cancel
from mfa_console.core.users.records import User
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.keyboard import search_keys
from mfa_console.ui.models.user_table import COLUMNS, UserTableModel
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

SEARCH_DELAY_MS = 120
BATCH = 500
EMAIL_COLUMN = 4  # takes the width the other columns leave
LATER_BUTTONS = {
    "import": (
        "Import from Active Directory",
        "Search or browse Active Directory (or LDAP) and import the selected users "
        "(Directory Integration settings).",
    ),
    "email": (
        "Send Email",
        "Preview and send the selected users their enrollment email (Email pane settings).",
    ),
    "test": (
        "Test",
        "Test two-step verification for the selected user: check a one-time code from the "
        "user's OATH token, as a login would (written to the authentication log).",
    ),
    "tokens": (
        "OATH Tokens...",
        "Import hardware tokens (CSV, PSKC), assign, unassign and resynchronise them; "
        "locked-out users.",
    ),
}


class UsersPane(QWidget):
    """The users table with its search box, buttons, context menu and status line."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = UserTableModel(services.users, self)
        self._task: Task | None = None
        self._handlers: dict[str, Callable[[list[User]], object]] = {
            "import": lambda _users: self._import_from_directory(),
            "email": self._send_email,
            "test": lambda users: self._test_user(users[0]),
            "tokens": lambda _users: self._oath_tokens(),
        }
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search = self._build_search()
        self.table = self._build_table()
        self.buttons = self._build_buttons()
        self.status = QLabel()
        self.status.setObjectName("users-status")
        self._build_actions()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._button_rows())
        self.model.modelReset.connect(self._update_status)
        self._totals = self._count_totals()
        self._update_status()
        self._update_buttons()

    # Building ------------------------------------------------------------------------------
    def _build_search(self) -> QLineEdit:
        search = QLineEdit()
        search.setObjectName("users-search")
        search.setClearButtonEnabled(True)
        search.setPlaceholderText(
            "Search username, name, email or phone (Ctrl+F); 1-2 characters: start of username"
        )
        search.textChanged.connect(lambda _text: self._search_timer.start())
        search_keys(search, self._on_search_return_pressed, clear_on_escape=True)
        return search

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("users-table")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures every row
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        # From the header and the rows on screen only (the model reads pages as they show).
        fit_columns(table, EMAIL_COLUMN, maximum=280)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_table_context_menu)
        table.doubleClicked.connect(lambda _index: self.edit_selected())
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return table

    def _build_buttons(self) -> dict[str, QPushButton]:
        buttons = {
            "add": QPushButton("&Add..."),
            "edit": QPushButton("&Edit..."),
            "remove": QPushButton("&Remove"),
            "enable": QPushButton("E&nable"),
            "disable": QPushButton("&Disable"),
        }
        buttons["add"].clicked.connect(self.add_user)
        buttons["edit"].clicked.connect(self.edit_selected)
        buttons["remove"].clicked.connect(self.remove_selected)
        buttons["enable"].clicked.connect(lambda: self.set_selected_enabled(True))
        buttons["disable"].clicked.connect(lambda: self.set_selected_enabled(False))
        for key, (text, tip) in LATER_BUTTONS.items():
            button = QPushButton(text)
            button.setEnabled(False)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, k=key: self._on_later_clicked(k))
            buttons[key] = button
        for key, button in buttons.items():
            button.setObjectName(f"users-{key}")
        return buttons

    def _button_rows(self) -> QVBoxLayout:
        """Edit actions above, directory/email actions and the counts below: fits 800 px."""
        edits, features = QHBoxLayout(), QHBoxLayout()
        for key in ("add", "edit", "remove", "enable", "disable"):
            edits.addWidget(self.buttons[key])
        edits.addStretch(1)
        edits.addWidget(self.buttons["test"])
        for key in LATER_BUTTONS:
            if key != "test":
                features.addWidget(self.buttons[key])
        features.addStretch(1)
        features.addWidget(self.status)
        rows = QVBoxLayout()
        rows.addLayout(edits)
        rows.addLayout(features)
        return rows

    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], object], keys: Sequence[str], on: QWidget) -> None:
            act = QAction(text, on)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(
                Qt.ShortcutContext.WidgetShortcut
                if on is self.table
                else Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            act.triggered.connect(lambda _checked=False: slot())
            on.addAction(act)

        action("Find", self.focus_search, ["Ctrl+F"], self)
        action("Add User", self.add_user, ["Ctrl+N"], self)
        action("Refresh", self.refresh, ["F5"], self)
        action("Edit User", self.edit_selected, ["Return", "Enter"], self.table)
        action("Remove Users", self.remove_selected, ["Del"], self.table)

    # Public --------------------------------------------------------------------------------
    def _import_from_directory(self) -> None:
        from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog

        DirectoryImportDialog(self.services, self).exec()

    def _send_email(self, users: list[User]) -> None:
        from mfa_console.ui.dialogs.send_email import SendEmailDialog

        SendEmailDialog(self.services, [user.id for user in users], self).exec()

    def _test_user(self, user: User) -> None:
        from mfa_console.ui.dialogs.test_user import TestUserDialog

        TestUserDialog(self.services, user.username, self).exec()

    def _oath_tokens(self) -> None:
        from mfa_console.ui.dialogs.oath_tokens import OathTokensDialog

        OathTokensDialog(self.services, self).exec()
        self.refresh()

    def set_import_handler(self, handler: Callable[[], object]) -> None:
        """Enable "Import from Active Directory"; the pane refreshes after ``handler()``."""
        self._handlers["import"] = lambda _users: handler()
        self._update_buttons()

    def set_send_email_handler(self, handler: Callable[[list[User]], object]) -> None:
        """Enable "Send Email"; ``handler`` gets the selected users."""
        self._handlers["email"] = handler
        self._update_buttons()

    def set_test_handler(self, handler: Callable[[User], object]) -> None:
        """Enable "Test"; ``handler`` gets the one selected user."""
        self._handlers["test"] = lambda users: handler(users[0])
        self._update_buttons()

    def _count_totals(self) -> tuple[int, int]:
        """(users, enabled users), each read from an index."""
        return self.services.users.totals()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self, select_ids: Sequence[int] = (), near: int | None = None) -> None:
        """Read the users again, then select ``select_ids`` (looked for near row ``near``)."""
        current = self.table.currentIndex().row()
        near = current if near is None else near
        self._totals = self._count_totals()
        self.model.refresh()
        self._select_after_refresh(select_ids, max(near, 0))

    def selected_ranges(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) ranges, without visiting each row."""
        selection = self.table.selectionModel().selection()
        ranges = sorted(
            (r.top(), r.bottom()) for r in (selection.at(i) for i in range(selection.size()))
        )
        merged: list[tuple[int, int]] = []
        for top, bottom in ranges:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
            else:
                merged.append((top, bottom))
        return merged

    def selected_count(self) -> int:
        return sum(bottom - top + 1 for top, bottom in self.selected_ranges())

    def _refresh_keeping_ranges(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Read again and select the same rows (enable/disable moves no row unless sorted by it)."""
        self._totals = self._count_totals()
        self.model.refresh()
        self._select_ranges(ranges)

    def selected_rows(self) -> list[int]:
        return [row for top, bottom in self.selected_ranges() for row in range(top, bottom + 1)]

    def selected_ids(self) -> list[int]:
        """The ids of the selected users, one query per selected range (any number of users)."""
        return [
            user_id
            for top, bottom in self.selected_ranges()
            for user_id in self.model.query.ids(top, bottom - top + 1)
        ]

    def selected_users(self, limit: int = 1000) -> list[User]:
        """The first ``limit`` selected users."""
        users = (self.model.user_at(row) for row in self.selected_rows()[:limit])
        return [user for user in users if user is not None]

    # Actions -------------------------------------------------------------------------------
    def add_user(self) -> None:
        from mfa_console.ui.dialogs.user_edit import UserEditDialog

        dialog = UserEditDialog(self.services, None, self)
        if dialog.exec() and dialog.saved is not None:
            self.refresh([dialog.saved.id])

    def edit_selected(self) -> None:
        from mfa_console.ui.dialogs.user_edit import UserEditDialog

        current = self.table.currentIndex()
        ranges = self.selected_ranges()
        row = current.row() if current.isValid() else (ranges[0][0] if ranges else -1)
        user = self.model.user_at(row)
        if user is None:
            return
        dialog = UserEditDialog(self.services, user.id, self)
        if dialog.exec() and dialog.saved is not None:
            self.refresh([user.id], near=row)

    def remove_selected(self) -> None:
        count = self.selected_count()
        users = self.selected_users(limit=3)
        if not users or self._busy():
            return
        names = ", ".join(u.username for u in users) + (" ..." if count > 3 else "")
        question = (
            f"Remove {users[0].username}?"
            if count == 1
            else f"Remove these {count:,} users ({names})?"
        )
        if not messages.confirm(
            self,
            "Remove Users",
            question,
            "Their phone numbers, methods and PINs are deleted; this cannot be undone.",
        ):
            return
        ids = self.selected_ids()
        first = self.selected_ranges()[0][0]
        self._run(
            lambda progress: self._in_batches(ids, self.services.users.remove, progress),
            "Removing users",
            lambda _n: self.refresh((), near=first),
        )

    def set_selected_enabled(self, enabled: bool) -> None:
        if not self.selected_count() or self._busy():
            return
        ids = self.selected_ids()
        ranges = self.selected_ranges()

        def change(batch: list[int]) -> int:
            return self.services.users.set_enabled(batch, enabled)

        self._run(
            lambda progress: self._in_batches(ids, change, progress),
            "Enabling users" if enabled else "Disabling users",
            lambda _n: self._refresh_keeping_ranges(ranges),
        )

    @staticmethod
    def _in_batches(ids: list[int], fn: Callable[[list[int]], int], progress: Progress) -> int:
        """Apply ``fn`` batch by batch (each batch one transaction); cancel stops between."""
        done = 0
        for start in range(0, len(ids), BATCH):
            check_cancel(progress)
            done += fn(ids[start : start + BATCH])
            progress.report(
                min(start + BATCH, len(ids)), len(ids), f"{plural(done, 'user')} changed"
            )
        return done

    def _run(self, fn: Callable[[Progress], int], title: str, done: Callable[[int], None]) -> None:
        self._task = run_task(self, fn, title=title, on_done=done, cancellable=True)
        # After a failure or a cancel, show what the batches already changed.
        self._task.errored.connect(lambda _exc: self.refresh())
        self._task.cancelled.connect(lambda: self.refresh())
        self._task.done.connect(self._on_task_done)

    def _busy(self) -> bool:
        return self._task is not None

    def _on_task_done(self) -> None:
        self._task = None

    # Slots ---------------------------------------------------------------------------------
    def _on_search_timer_timeout(self) -> None:
        self.model.set_filter(self.search.text().strip())
        if self.model.rowCount() == 1:
            self._select_rows([0])

    def _on_search_return_pressed(self) -> None:
        self._search_timer.stop()
        self._on_search_timer_timeout()
        if self.model.rowCount():
            self.table.setFocus()
            if not self.selected_count():
                self._select_rows([0])

    def _on_later_clicked(self, key: str) -> None:
        handler = self._handlers.get(key)
        if handler is None:
            return
        handler(self.selected_users())
        if key == "import":
            self.refresh()

    def _on_table_context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        selected = self.selected_count() > 0
        entries = (
            ("Add...", self.add_user, True),
            ("Edit...", self.edit_selected, self.selected_count() == 1),
            ("Remove", self.remove_selected, selected),
            (None, None, False),
            ("Enable", lambda: self.set_selected_enabled(True), selected),
            ("Disable", lambda: self.set_selected_enabled(False), selected),
            (None, None, False),
            ("Send Email", lambda: self._on_later_clicked("email"), self._can("email")),
            ("Test", lambda: self._on_later_clicked("test"), self._can("test")),
        )
        for text, slot, enabled in entries:
            if text is None or slot is None:
                menu.addSeparator()
                continue
            act = menu.addAction(text)
            act.setEnabled(enabled)
            act.triggered.connect(lambda _checked=False, s=slot: s())
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # State ---------------------------------------------------------------------------------
    def _can(self, key: str) -> bool:
        count = self.selected_count()
        if key not in self._handlers:
            return False
        return key in ("import", "tokens") or (count == 1 if key == "test" else count > 0)

    def _update_buttons(self) -> None:
        count = self.selected_count()
        self.buttons["edit"].setEnabled(count == 1)
        for key in ("remove", "enable", "disable"):
            self.buttons[key].setEnabled(count > 0)
        for key in LATER_BUTTONS:
            self.buttons[key].setEnabled(self._can(key))

    def _update_status(self) -> None:
        total, enabled = self._totals
        shown = self.model.rowCount()
        self.status.setText(
            f"{shown:,} shown / {plural(total, 'user')} / {enabled:,} enabled"
            + (f'  (search: "{self.model.filter_text}")' if self.model.filter_text else "")
        )

    def _select_after_refresh(self, ids: Sequence[int], near: int) -> None:
        count = self.model.rowCount()
        rows = [r for r in (self.model.row_of(i, near) for i in ids[:50]) if r is not None]
        if not rows and count:
            rows = [min(near, count - 1)]
        self._select_rows(rows)

    def _select_rows(self, rows: Sequence[int]) -> None:
        self._select_ranges([(row, row) for row in sorted(rows)])

    def _select_ranges(self, ranges: Sequence[tuple[int, int]]) -> None:
        count = self.model.rowCount()
        selection = QItemSelection()
        for top, bottom in ranges:
            if top < count:
                last = self.model.index(min(bottom, count - 1), len(COLUMNS) - 1)
                selection.select(self.model.index(top, 0), last)
        model = self.table.selectionModel()
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if not selection.isEmpty():
            index: QModelIndex = self.model.index(selection.at(0).top(), 0)
            model.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(index)
        self._update_buttons()
