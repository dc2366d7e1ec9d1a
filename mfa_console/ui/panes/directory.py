"""Directory Integration pane: Settings, Filters and Attributes tabs (and Synchronization when
that feature is installed), Save / Revert, and the staged Test run off the GUI thread."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.ui import messages
from mfa_console.ui.dialogs.directory_test import DirectoryTestDialog, start_test
from mfa_console.ui.panes.directory_tabs import AttributesTab, FiltersTab, SettingsTab
from mfa_console.ui.sizing import scrolled
from mfa_console.ui.tasks import Task


class DirectoryPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.task: Task | None = None
        self.test_dialog: DirectoryTestDialog | None = None
        self.settings_tab = SettingsTab()
        self.filters_tab = FiltersTab()
        self.attributes_tab = AttributesTab()
        self.tabs = QTabWidget()
        # Each tab scrolls: the pane fits a 1024x700 window whatever the tallest tab needs.
        self.tabs.addTab(scrolled(self.settings_tab), "Settings")
        self.tabs.addTab(scrolled(self.filters_tab), "Filters")
        self.tabs.addTab(scrolled(self.attributes_tab), "Attributes")
        self._add_sync_tab()
        self.settings_tab.kind_changed.connect(self._on_settings_kind_changed)
        self.settings_tab.test_requested.connect(self._on_test_requested)
        self.save_button = QPushButton("Save")
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Save the directory settings (Ctrl+S)")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        self._own_tabs = (self.settings_tab, self.filters_tab, self.attributes_tab)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Directory Integration</h2>"))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.reload()

    # --- Synchronization tab: provided by the synchronization feature ------------------------
    def _add_sync_tab(self) -> None:
        try:
            from mfa_console.ui.panes.directory_sync_tab import SyncTab  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return
        self.sync_tab = SyncTab(self.services, self)
        self.tabs.addTab(scrolled(self.sync_tab, keep_height=True), "Synchronization")

    def show_tab(self, name: str) -> None:
        """Open a tab by name: "settings", "filters", "attributes" or "sync"."""
        tab = getattr(self, f"{name}_tab", None)
        index = self._tab_index(tab) if tab is not None else -1
        if index >= 0:
            self.tabs.setCurrentIndex(index)

    def _tab_index(self, tab: QWidget) -> int:
        """The index of ``tab`` (each tab page sits in its scroll area)."""
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and (page is tab or page.isAncestorOf(tab)):
                return index
        return -1

    def _on_tabs_current_changed(self, _index: int) -> None:
        # Save / Revert belong to Settings, Filters and Attributes; other tabs apply their own.
        own = self.tabs.currentIndex() in [self._tab_index(tab) for tab in self._own_tabs]
        self.save_button.setVisible(own)
        self.revert_button.setVisible(own)

    # --- load / save ---------------------------------------------------------------------
    def reload(self) -> None:
        settings = self.services.directory.load()
        try:
            has_password = self.services.directory.has_password()
        except ConsoleError:
            has_password = False
        self._loading = True
        self.settings_tab.load(settings, has_password)
        self.filters_tab.load(settings)
        self.attributes_tab.load(settings)
        self._loading = False

    def current_settings(self) -> DirectorySettings:
        settings = self.services.directory.load()
        for tab in (self.settings_tab, self.filters_tab, self.attributes_tab):
            settings = tab.apply(settings)
        return settings

    def _on_save_clicked(self) -> None:
        try:
            self.services.directory.save(
                self.current_settings(), self.settings_tab.typed_password()
            )
        except ValidationError as exc:
            detail = "\n".join(f"{k}: {v}" for k, v in exc.problems.items())
            messages.warning(self, "Directory Integration", "The settings were not saved.", detail)
            return
        except ConsoleError as exc:
            messages.error(self, "Directory Integration", exc)
            return
        self.reload()
        if self.current_settings().security == "none":
            messages.warning(
                self,
                "Directory Integration",
                "Saved. The connection is not protected by TLS.",
                "The bind password and user data travel in clear text; choose LDAPS or StartTLS.",
            )

    def _on_settings_kind_changed(self, kind: str) -> None:
        if not getattr(self, "_loading", False):
            self.filters_tab.set_kind(kind)
            self.attributes_tab.set_kind(kind)

    # --- Test ----------------------------------------------------------------------------
    def _on_test_requested(self) -> None:
        self.task = start_test(
            self,
            self.services.directory,
            self.current_settings(),
            self.settings_tab.typed_password(),
            self.settings_tab.test_button,
            self._keep_dialog,
        )

    def _keep_dialog(self, dialog: DirectoryTestDialog) -> None:
        self.test_dialog = dialog
