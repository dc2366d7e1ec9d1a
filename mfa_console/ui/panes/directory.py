"""Directory Integration pane: Settings (the directory connection form), Filters and Attributes
tabs, Synchronization when that feature is installed, the staged Test off the GUI thread, and the
Save / Revert bar for the connection and the synchronization schedule."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from mfa_console.app import Services
from mfa_console.ui import messages
from mfa_console.ui.dialogs.directory_test import DirectoryTestDialog, start_test
from mfa_console.ui.forms.directory_connection import DirectoryConnectionForm
from mfa_console.ui.forms.save_bar import SaveBar
from mfa_console.ui.panes.directory_tabs import AttributesTab, FiltersTab
from mfa_console.ui.sizing import scrolled
from mfa_console.ui.tasks import Task


class DirectoryPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.task: Task | None = None
        self.test_dialog: DirectoryTestDialog | None = None
        self.form = DirectoryConnectionForm(services.directory)
        self.form.set_inset(9)  # inside the tab's frame
        self.settings_tab = self.form  # the Settings tab is the connection form
        self.filters_tab = FiltersTab()
        self.attributes_tab = AttributesTab()
        for part in (self.filters_tab, self.attributes_tab):
            self.form.add_part(part)
            self.form.watch(*part.inputs())
        self.tabs = QTabWidget()
        # Each tab scrolls: the pane fits a 1024x700 window whatever the tallest tab needs.
        self.tabs.addTab(scrolled(self.form), "Settings")
        self.tabs.addTab(scrolled(self.filters_tab), "Filters")
        self.tabs.addTab(scrolled(self.attributes_tab), "Attributes")
        self.save_bar = SaveBar("Directory Integration", [self.form])
        self._add_sync_tab()
        self.form.test_requested.connect(self._on_test_requested)
        self.form.saved.connect(self._on_saved)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Directory Integration</h2>"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_bar)
        self.reload()

    # --- Synchronization tab: provided by the synchronization feature ------------------------
    def _add_sync_tab(self) -> None:
        try:
            from mfa_console.ui.panes.directory_sync_tab import SyncTab  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return
        self.sync_tab = SyncTab(self.services, self)
        self.tabs.addTab(scrolled(self.sync_tab, keep_height=True), "Synchronization")
        self.save_bar.add_form(self.sync_tab.schedule)

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

    # --- load / save ---------------------------------------------------------------------
    def reload(self) -> None:
        self.form.load()
        self.save_bar.update_state()

    def _on_saved(self) -> None:
        if self.form.value().security == "none":
            messages.warning(
                self,
                "Directory Integration",
                "Saved. The connection is not protected by TLS.",
                "The bind password and user data travel in clear text; choose LDAPS or StartTLS.",
            )

    # --- Test ----------------------------------------------------------------------------
    def _on_test_requested(self) -> None:
        self.task = start_test(
            self,
            self.services.directory,
            self.form.value(),
            self.form.typed_password(),
            self.form.test_button,
            self._keep_dialog,
        )

    def _keep_dialog(self, dialog: DirectoryTestDialog) -> None:
        self.test_dialog = dialog
