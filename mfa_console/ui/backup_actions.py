"""File > Back Up..., Restore..., Move Data to PostgreSQL... and Help > Open Log Folder.

Both run off the GUI thread with progress and cancel. After a restore the window starts over on
fresh services over the restored file (``MainWindow.replace_services``), so no pane keeps showing
data from before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from mfa_console.app import open_services
from mfa_console.core.backup import SUFFIX, BackupResult, RestoreReport, default_name
from mfa_console.core.backup.manifest import describe_secret
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.panes.logs import open_log_folder
from mfa_console.ui.tasks import Task, run_task

if TYPE_CHECKING:
    from mfa_console.ui.main_window import MainWindow

FILTER = f"MFA Console backups (*{SUFFIX});;All files (*)"


def install(window: MainWindow) -> None:
    window.add_action("File", "&Back Up...", lambda: _on_back_up(window), "Ctrl+B")
    window.add_action("File", "&Restore...", lambda: _on_restore(window))
    window.add_action("File", "Scheduled Bac&kups...", lambda: _on_schedule(window))
    window.add_action("File", "&Move Data to PostgreSQL...", lambda: _on_move(window))
    window.add_action("Help", "Open &Log Folder", open_log_folder)


def _on_back_up(window: MainWindow) -> None:
    folder = window.services.backup.backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name, _ = QFileDialog.getSaveFileName(
        window, "Back up the data file", str(folder / default_name()), FILTER
    )
    if name:
        back_up_to(window, Path(name))


def _on_move(window: MainWindow) -> None:
    if window.services.backup.data_file() is None:
        messages.info(window, "Move Data to PostgreSQL", "The data is in PostgreSQL already.")
        return
    from mfa_console.ui.dialogs.move_to_postgres import MoveToPostgresDialog

    dialog = MoveToPostgresDialog(window.services, window)
    if dialog.exec():
        dialog.start()


def _on_schedule(window: MainWindow) -> None:
    from mfa_console.ui.dialogs.backup_schedule import BackupScheduleDialog

    BackupScheduleDialog(window.services, window).exec()


def _on_restore(window: MainWindow) -> None:
    name, _ = QFileDialog.getOpenFileName(
        window,
        "Restore the data file from a backup",
        str(window.services.backup.backup_folder()),
        FILTER,
    )
    if name:
        restore_from(window, Path(name))


def back_up_to(window: MainWindow, path: Path) -> Task:
    backup = window.services.backup

    def done(result: BackupResult) -> None:
        manifest = result.manifest
        messages.info(
            window,
            "Backup complete",
            f"{plural(manifest.user_count, 'user')} backed up to {result.path}.",
            _secrets_note("After a restore on another machine, enter again:", manifest.secrets),
        )

    return run_task(
        window,
        lambda progress: backup.create(path, progress),
        title="Backing up the data file",
        on_done=done,
        error_title="Backup failed",
        cancellable=True,
    )


def restore_from(window: MainWindow, path: Path) -> Task | None:
    target = window.services.data_name
    if not messages.confirm(
        window,
        "Restore the data file",
        f"Replace everything in {target} with the contents of {path.name}?",
        "The backup is checked first. The current data file is backed up before it is replaced, "
        "and the background service and other consoles wait until the restore has finished.",
    ):
        return None
    backup = window.services.backup
    data = backup.data_location()

    def done(report: RestoreReport) -> None:
        window.replace_services(open_services(data))
        result = report.result
        text = (
            f"{plural(result.manifest.user_count, 'user')} restored from {path.name} (made "
            f"{result.manifest.created_at} on {result.manifest.host})."
        )
        if result.migrated:
            text += " The data was upgraded to this version of MFA Console."
        detail = (
            f"The data file as it was before is kept in {result.safety_backup}."
            if (result.safety_backup)
            else ""
        )
        note = _secrets_note("Enter these secrets again on this machine:", report.secrets_to_enter)
        if report.key_needed:
            note += f"\n{report.key_needed}"
        messages.info(window, "Restore complete", text, f"{detail}\n{note}".strip())

    return run_task(
        window,
        lambda progress: backup.restore(path, progress),
        title="Restoring the data file",
        on_done=done,
        error_title="Restore failed",
        cancellable=True,
    )


def _secrets_note(heading: str, names: tuple[str, ...]) -> str:
    if not names:
        return ""
    return heading + "\n" + "\n".join(f"- {describe_secret(n)}" for n in names)
