"""The main window: left navigation, stacked panes (built on first show), menus. Kept small."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, QSize, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStyle,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.ui.forms.save_bar import SaveBar
from mfa_console.ui.panes.registry import PANES, PaneSpec, pane_factory


class MainWindow(QMainWindow):
    pane_changed = Signal(str)
    users_changed = Signal()  # users were added or changed outside the Users pane (import, sync)

    def __init__(
        self,
        services: Services,
        state: QSettings,
        parent: QWidget | None = None,
        *,
        first_pane: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._state = state
        self._panes: dict[str, QWidget] = {}
        self._row = 0  # the navigation row of the pane shown
        self._data_label = QLabel()
        self._nav = self._build_navigation()
        self._stack = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._nav)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(central)
        self.menus: dict[str, QMenu] = {}
        self._build_menus()
        self.statusBar().addPermanentWidget(self._data_label)
        self._show_data_name()
        self.users_changed.connect(self._on_users_changed)
        self._restore_state(first_pane)

    def _show_data_name(self) -> None:
        self.setWindowTitle(f"MFA Console - {self.services.data_name}")
        self._data_label.setText(f"Data file: {self.services.data_name}")

    # Navigation ----------------------------------------------------------------------------
    def _build_navigation(self) -> QListWidget:
        nav = QListWidget()
        nav.setObjectName("navigation")
        nav.setIconSize(QSize(24, 24))
        nav.setFixedWidth(200)
        nav.setSpacing(2)
        for spec in PANES:
            icon = self.style().standardIcon(getattr(QStyle.StandardPixmap, spec.icon))
            item = QListWidgetItem(icon, spec.title)
            item.setToolTip(spec.summary)
            nav.addItem(item)
        nav.currentRowChanged.connect(self._on_nav_row_changed)
        return nav

    def show_pane(self, key: str) -> QWidget:
        """Show the pane ``key`` (building it on first use) and return it; ``pane/tab`` (e.g.
        ``directory/sync``) also opens that tab of the pane. The pane shown stays when it has
        unsaved changes and the administrator cancels."""
        key, _, tab = key.partition("/")
        row = next(i for i, spec in enumerate(PANES) if spec.key == key)
        self._nav.setCurrentRow(row)
        pane = self.pane(key)
        show_tab = getattr(pane, "show_tab", None)
        if tab and show_tab is not None:
            show_tab(tab)
        return pane

    def pane(self, key: str) -> QWidget:
        if key not in self._panes:
            spec = next(spec for spec in PANES if spec.key == key)
            self._panes[key] = self._create_pane(spec)
        return self._panes[key]

    def _create_pane(self, spec: PaneSpec) -> QWidget:
        widget: QWidget = pane_factory(spec)(self.services, parent=self)
        widget.setObjectName(f"pane-{spec.key}")
        self._stack.addWidget(widget)
        return widget

    def _on_nav_row_changed(self, row: int) -> None:
        if row < 0:
            return
        if row != self._row and not self._may_leave(self._panes.get(PANES[self._row].key)):
            self._nav.blockSignals(True)  # stay on the pane with the unsaved changes
            self._nav.setCurrentRow(self._row)
            self._nav.blockSignals(False)
            return
        self._row = row
        spec = PANES[row]
        self._stack.setCurrentWidget(self.pane(spec.key))
        self._state.setValue("window/last_pane", spec.key)
        self.pane_changed.emit(spec.key)

    def _on_users_changed(self) -> None:
        users = self._panes.get("users")
        refresh = getattr(users, "refresh", None)
        if refresh is not None:
            refresh()

    def replace_services(self, services: Services) -> None:
        """Work on ``services`` from now on (after a restore, or another data file opened):
        every pane is built again."""
        old, self.services = self.services, services
        self._show_data_name()
        for widget in self._panes.values():
            self._stack.removeWidget(widget)
            widget.deleteLater()
        self._panes.clear()
        self._stack.setCurrentWidget(self.pane(self.current_pane_key))
        old.close()

    @property
    def current_pane_key(self) -> str:
        return PANES[max(self._nav.currentRow(), 0)].key

    # Menus ---------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        for title in ("&File", "&Tools", "&Help"):
            self.menus[title.replace("&", "")] = bar.addMenu(title)
        self.add_action("File", "E&xit", self.close, QKeySequence.StandardKey.Quit)
        self.add_action("File", "&Import Users...", self._on_import_users, "Ctrl+I")
        self.add_action("File", "&Export Users...", self._on_export_users, "Ctrl+E")
        from mfa_console.ui import backup_actions, data_file_actions  # loaded with the menus

        data_file_actions.install(self)
        backup_actions.install(self)
        self.add_action("Tools", "&Import from Active Directory...", self._on_directory_import)
        self.add_action("Tools", "Email &Outbox...", self._on_outbox)
        self.add_action("Tools", "Run &Configuration Wizard...", self._on_run_wizard)
        self.add_action("Help", "&About MFA Console", self._on_about)

    def add_action(
        self,
        menu: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        *,
        before_exit: bool = True,
    ) -> QAction:
        """Add a menu action; File actions go above Exit unless ``before_exit`` is False."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        target = self.menus[menu]
        actions = target.actions()
        if menu == "File" and before_exit and actions:
            target.insertAction(actions[-1], action)
        else:
            target.addAction(action)
        return action

    def _on_import_users(self) -> None:
        from mfa_console.ui import users_csv

        users_csv.ask_import(self, self.services)

    def _on_export_users(self) -> None:
        from mfa_console.ui import users_csv

        users_csv.ask_export(self, self.services)

    def _on_outbox(self) -> None:
        from mfa_console.ui.dialogs.outbox import OutboxDialog

        OutboxDialog(self.services, self).exec()

    def _on_run_wizard(self) -> None:
        from mfa_console.ui.wizards.first_run import run_configuration_wizard

        run_configuration_wizard(self)

    def _on_directory_import(self) -> None:
        from mfa_console.ui.dialogs.directory_import import DirectoryImportDialog

        DirectoryImportDialog(self.services, self).exec()

    def _on_about(self) -> None:
        from mfa_console.ui.dialogs.about import AboutDialog

        AboutDialog(self.services, self).exec()

    # State ---------------------------------------------------------------------------------
    def _restore_state(self, first_pane: str | None) -> None:
        geometry = self._state.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        last = first_pane or str(self._state.value("window/last_pane", "status"))
        keys = [spec.key for spec in PANES]
        self.show_pane(last if last in keys else "status")

    @staticmethod
    def _may_leave(pane: QWidget | None) -> bool:
        """Ask Save / Discard / Cancel when ``pane`` has unsaved changes; False: stay."""
        bar = getattr(pane, "save_bar", None)
        return not isinstance(bar, SaveBar) or bar.ask_to_leave()

    def has_unsaved_changes(self) -> bool:
        bars = (getattr(pane, "save_bar", None) for pane in self._panes.values())
        return any(isinstance(bar, SaveBar) and bar.has_changes() for bar in bars)

    def ask_about_unsaved_changes(self) -> bool:
        """Ask Save / Discard / Cancel for each pane with changes: the one shown first, then
        the others, each shown while asked. False: the administrator cancelled."""
        current = self._panes.get(PANES[self._row].key)
        others = [p for p in self._panes.values() if p is not current]
        for pane in [current, *others]:
            bar = getattr(pane, "save_bar", None)
            if pane is None or not isinstance(bar, SaveBar) or not bar.has_changes():
                continue
            if pane is not current:
                self._stack.setCurrentWidget(pane)
            if not bar.ask_to_leave():
                if current is not None:
                    self._stack.setCurrentWidget(current)
                return False
        return True

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # Quitting (Ctrl+Q, the window's close button) asks about unsaved changes first.
        if not self.ask_about_unsaved_changes():
            event.ignore()
            return
        self._state.setValue("window/geometry", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)
