"""The Synchronization tab of Directory Integration: schedule settings, the ordered item list,
Synchronize Now and Preview (off the GUI thread, cancellable), last and next run, the approval
prompt for held disables/removals, and the history of runs with their per-user changes."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError
from mfa_console.core.service.heartbeat import HOW_TO_START, ServiceState
from mfa_console.core.sync.history import RunRecord
from mfa_console.core.sync.items import EMAIL_POLICIES, ENABLE_POLICIES, ON_REMOVED, SyncItem
from mfa_console.core.sync.results import RunResult
from mfa_console.core.users.methods import METHODS
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.dialogs.sync_item import SyncItemDialog
from mfa_console.ui.forms.sync_schedule import SyncScheduleForm
from mfa_console.ui.panes.sync_history_view import SyncHistoryView
from mfa_console.ui.sizing import fit_columns
from mfa_console.ui.tasks import Task, run_task

ITEM_ROLE = Qt.ItemDataRole.UserRole
ITEM_COLUMNS = (
    "Import",
    "Distinguished name",
    "No longer a member",
    "Enabled",
    "Send email",
    "Method",
)


class SyncTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.sync = services.sync
        self.task: Task | None = None
        self.last_result: RunResult | None = None
        self.history = SyncHistoryView(self.sync.history, self)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self._settings_box())
        top_layout.addWidget(self._items_box(), 1)
        top_layout.addWidget(self._pending_banner())
        top_layout.addLayout(self._run_row())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.history)
        splitter.setSizes([420, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.reload()

    # Building -----------------------------------------------------------------------------
    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Schedule")
        self.schedule = SyncScheduleForm(self.sync)
        self.schedule.changed.connect(self.refresh_status)
        QVBoxLayout(box).addWidget(self.schedule)
        return box

    def _items_box(self) -> QGroupBox:
        box = QGroupBox("Synchronization items (the first matching item wins)")
        self.items = QTreeWidget()
        self.items.setRootIsDecorated(False)
        self.items.setMinimumHeight(70)
        self.items.setHeaderLabels(list(ITEM_COLUMNS))
        # Each column as wide as its header or its text, the distinguished name takes the rest
        # and elides in the middle (the whole name in its tooltip).
        fit_columns(self.items, 1)
        self.items.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.items.itemSelectionChanged.connect(self._update_buttons)
        self.items.itemDoubleClicked.connect(lambda *_: self._on_edit_clicked())
        self.add_button = QPushButton("A&dd...")
        self.edit_button = QPushButton("&Edit...")
        self.remove_button = QPushButton("Re&move")
        self.up_button = QPushButton("Move &Up")
        self.down_button = QPushButton("Move Do&wn")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        buttons = QVBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout(box)
        row.addWidget(self.items, 1)
        row.addLayout(buttons)
        return box

    def _pending_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.approve_button = QPushButton("Review and A&pprove...")
        self.approve_button.clicked.connect(self._on_approve_clicked)
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.approve_button)
        return self.banner

    def _run_row(self) -> QHBoxLayout:
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.preview_button = QPushButton("Preview Chan&ges...")
        self.preview_button.setToolTip("A dry run: shows what a synchronization would change")
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.sync_button = QPushButton("Syn&chronize Now")
        self.sync_button.clicked.connect(self._on_sync_clicked)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.preview_button)
        row.addWidget(self.sync_button)
        return row

    # Loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.schedule.load()
        self._load_items()
        self.refresh_status()
        self.history.refresh()

    def _load_items(self, select_id: int | None = None) -> None:
        self.items.clear()
        for item in self.sync.items.list():
            row = QTreeWidgetItem(self.items, _item_texts(item))
            row.setData(0, ITEM_ROLE, item)
            row.setToolTip(1, item.dn)
            if item.id == select_id:
                self.items.setCurrentItem(row)
        self._update_buttons()

    def refresh_status(self) -> None:
        last = self.sync.history.last_run(completed=True)
        scheduled = self.sync.settings().enabled
        service = self.sync.background_service() if scheduled else None
        parts = [_last_run_text(last), _next_run_text(self.sync.next_run(), scheduled, service)]
        if service is not None and not service.running:
            parts.append(f"<b>{html.escape(service.summary())}</b> {html.escape(HOW_TO_START)}")
        self.status.setText("<br>".join(parts))
        pending = self.sync.history.pending()
        self.banner.setVisible(bool(pending))
        self.banner_label.setText(
            f"<b>{plural(len(pending), 'user')}</b> would be disabled or removed, more than the "
            "approval threshold: nothing was done to them. Review the list and approve, or fix the "
            "directory or the items and synchronize again."
        )

    def _update_buttons(self) -> None:
        current = self.items.currentItem()
        index = self.items.indexOfTopLevelItem(current) if current else -1
        count = self.items.topLevelItemCount()
        busy = self.task is not None
        self.edit_button.setEnabled(index >= 0)
        self.remove_button.setEnabled(index >= 0)
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(0 <= index < count - 1)
        self.sync_button.setEnabled(not busy and count > 0)
        self.preview_button.setEnabled(not busy and count > 0)

    def current_item(self) -> SyncItem | None:
        current = self.items.currentItem()
        return current.data(0, ITEM_ROLE) if current else None

    # Item slots ---------------------------------------------------------------------------
    def _on_add_clicked(self) -> None:
        dialog = SyncItemDialog(self.services, None, self)
        if dialog.exec() and dialog.saved:
            self._load_items(dialog.saved.id)
            self._items_changed()

    def _on_edit_clicked(self) -> None:
        item = self.current_item()
        if item is None:
            return
        dialog = SyncItemDialog(self.services, item, self)
        if dialog.exec() and dialog.saved:
            self._load_items(dialog.saved.id)
            self._items_changed()

    def _on_remove_clicked(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        if not messages.confirm(
            self,
            "Remove Synchronization Item",
            f"Remove the item {item.title}? This cannot be undone.",
            "Its users stay in the data file; the next full synchronization treats them as no "
            "longer a member (disabled or removed, subject to the approval threshold).",
        ):
            return
        try:
            self.sync.items.remove(item.id)
        except ConsoleError as exc:
            messages.error(self, "Remove Synchronization Item", exc)
        self._load_items()
        self._items_changed()

    def _move(self, offset: int) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        self.sync.items.move(item.id, offset)
        self._load_items(item.id)
        self._items_changed()

    def _items_changed(self) -> None:
        self.status.setText("The items changed: click Synchronize Now to apply them.")

    # Runs ---------------------------------------------------------------------------------
    def _on_sync_clicked(self) -> None:
        self.start_run(dry_run=False)

    def _on_preview_clicked(self) -> None:
        self.start_run(dry_run=True)

    def start_run(self, *, dry_run: bool) -> Task:
        sync = self.sync

        def work(progress: Any) -> RunResult:
            return sync.run("manual", full=True, dry_run=dry_run, progress=progress)

        title = "Previewing the synchronization" if dry_run else "Synchronizing with the directory"
        self.task = run_task(
            self,
            work,
            title=title,
            on_done=self._on_run_done,
            error_title="Preview Changes" if dry_run else "Synchronize Now",
            cancellable=True,
        )
        self.task.done.connect(self._on_task_done)
        self._update_buttons()
        return self.task

    def _on_task_done(self) -> None:
        self.task = None
        self._update_buttons()

    def _on_run_done(self, result: RunResult) -> None:
        self.last_result = result
        self.refresh_status()
        self.history.refresh()
        if result.dry_run:
            messages.info(self, "Preview Changes", _summary(result), _changes_text(result))
        elif result.status == "failed":
            messages.error(self, "Synchronize Now", result.message)
        elif result.status == "cancelled":
            messages.info(self, "Synchronize Now", result.message)
        elif result.counts.pending_approval:
            self._on_approve_clicked()

    def _on_approve_clicked(self) -> None:
        pending = self.sync.history.pending()
        if not pending:
            self.refresh_status()
            return
        lines = [f"{p.username}: {p.action} ({p.reason})" for p in pending[:40]]
        if len(pending) > 40:
            lines.append(f"... and {len(pending) - 40} more (see the history)")
        if messages.confirm(
            self,
            "Approve Synchronization",
            f"{plural(len(pending), 'user')} would be disabled or removed. Carry this out now?",
            "\n".join(lines),
        ):
            try:
                self.sync.approve()
            except ConsoleError as exc:
                messages.error(self, "Approve Synchronization", exc)
        self.refresh_status()
        self.history.refresh()


def _item_texts(item: SyncItem) -> list[str]:
    scope = "Group" if item.scope == "group" else "Container"
    if item.scope == "group" and item.nested:
        scope += " (nested)"
    return [
        scope,
        item.dn,
        ON_REMOVED[item.on_removed] if item.on_removed != "none" else "Leave",
        ENABLE_POLICIES[item.enable_policy],
        EMAIL_POLICIES[item.email_policy],
        METHODS.get(item.method, "Company default"),
    ]


def _summary(result: RunResult) -> str:
    c = result.counts
    return (
        f"A synchronization now would add {c.added}, update {c.updated}, disable {c.disabled} and "
        f"remove {c.removed} of the users ({c.unchanged} unchanged, {c.pending_approval} held "
        f"for approval, {plural(c.errors, 'error')}). Nothing was changed."
        if result.ok
        else f"The preview failed: {result.message}"
    )


def _changes_text(result: RunResult) -> str:
    lines = [
        f"{c.action}: {c.username or c.directory_id} {c.detail}".rstrip()
        for c in result.changes[:50]
    ]
    if len(result.changes) > 50:
        lines.append(f"... and {len(result.changes) - 50} more")
    return "\n".join(lines)


def _last_run_text(last: RunRecord | None) -> str:
    if last is None:
        return "Last run: never."
    c = last.counts
    text = (
        f"Last run: {last.started_at:%Y-%m-%d %H:%M} UTC, {last.kind}, {last.status} "
        f"(added {c['added']}, updated {c['updated']}, disabled {c['disabled']}, "
        f"removed {c['removed']}, {plural(c['errors'], 'error')})."
    )
    if last.status == "failed" and last.message:
        text += f" {last.message}"
    return html.escape(text)


def _next_run_text(next_run: datetime | None, scheduled: bool, service: ServiceState | None) -> str:
    if not scheduled:
        return "Next run: not scheduled (synchronization is not enabled)."
    if service is not None and not service.running:
        when = f"due {next_run:%Y-%m-%d %H:%M} UTC" if next_run else "due now"
        return f"Next run: {when}, when the background service runs."
    if next_run is None:
        return "Next run: at the background service's next check."
    return f"Next run: {next_run:%Y-%m-%d %H:%M} UTC."
