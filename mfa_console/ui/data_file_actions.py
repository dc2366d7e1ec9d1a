"""File > Open Data File..., and the choice the console offers when it cannot open its data file
at start: restore a backup over it, open another data file (or name a new one), or quit.

Opening is done on the GUI thread, as at start: it is quick unless the file needs an upgrade, and
the services it makes are used from this thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QFileDialog, QWidget

from mfa_console.app import Services, open_services
from mfa_console.core.backup import SUFFIX, RestoreResult
from mfa_console.core.backup.service import restore_unopenable
from mfa_console.core.errors import ConsoleError, DataFileError, DataFileLockedError
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.tasks import run_task

if TYPE_CHECKING:
    from mfa_console.ui.main_window import MainWindow

DATA_FILTER = "MFA Console data files (*.db);;All files (*)"
BACKUP_FILTER = f"MFA Console backups (*{SUFFIX});;All files (*)"
RESTORE = "Restore a Backup..."
OPEN_ANOTHER = "Open Another Data File..."
QUIT = "Quit"
TITLE = "Cannot open the data file"


def install(window: MainWindow) -> None:
    window.add_action("File", "&Open Data File...", lambda: _on_open(window), "Ctrl+O")


def choose_data_file(parent: QWidget | None, folder: Path) -> Path | None:
    """A data file to open, or a new name for a new one (no overwrite question: it is opened)."""
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Open a data file (a new name makes a new one)",
        str(folder),
        DATA_FILTER,
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return Path(name) if name else None


def _on_open(window: MainWindow) -> None:
    if not window.ask_about_unsaved_changes():
        return
    current = window.services.backup.data_file()
    path = choose_data_file(window, current.parent if current else Path.home())
    if path is not None:
        open_data_file(window, path)


def open_data_file(window: MainWindow, path: Path) -> bool:
    """Work on ``path`` from now on; False (and the reason shown) when it cannot be opened."""
    try:
        services = open_services(path)
    except ConsoleError as exc:
        messages.error(window, TITLE, exc)
        return False
    window.replace_services(services)
    return True


def open_at_start(
    data: str | None, opener: Callable[[str | None], Services] = open_services
) -> Services | None:
    """Open ``data`` at start (with ``opener``); while it cannot be opened, offer to restore a
    backup over it, to open another data file, or to quit (None)."""
    while True:
        try:
            return opener(data)
        except ConsoleError as exc:
            choices = _choices_for(exc, data)
            answer = messages.choose(None, TITLE, exc, choices)
            if answer is None:
                return None
            if answer == OPEN_ANOTHER:
                path = choose_data_file(None, Path.home())
                data = str(path) if path is not None else data
            elif answer == RESTORE:
                _restore_over(data)


def _choices_for(exc: ConsoleError, data: str | None) -> tuple[str, ...]:
    from mfa_console.core.db.engine import resolve_url, sqlite_path

    restorable = (
        isinstance(exc, DataFileError)
        and not isinstance(exc, DataFileLockedError)
        and sqlite_path(resolve_url(data)) is not None
    )
    return (RESTORE, OPEN_ANOTHER, QUIT) if restorable else (OPEN_ANOTHER, QUIT)


def _restore_over(data: str | None) -> None:
    """Choose a backup and restore it over the data file that could not be opened (kept beside
    it), with progress, before the console opens."""
    name, _ = QFileDialog.getOpenFileName(
        None, "Restore the data file from a backup", "", BACKUP_FILTER
    )
    if not name:
        return
    holder = QWidget()  # the progress window's parent: there is no console window yet

    def done(result: RestoreResult) -> None:
        kept = f"The file that could not be opened is kept as {result.kept_unreadable}."
        messages.info(
            None,
            "Restore complete",
            f"{plural(result.manifest.user_count, 'user')} restored from {Path(name).name}.",
            kept if result.kept_unreadable else "",
        )

    loop = QEventLoop()
    task = run_task(
        holder,
        lambda progress: restore_unopenable(data, Path(name), progress),
        title="Restoring the data file",
        on_done=done,
        cancellable=True,
    )
    task.done.connect(loop.quit)
    loop.exec()
    holder.deleteLater()
