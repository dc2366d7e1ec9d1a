"""File > Import Users... and File > Export Users...: CSV through the core, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError
from mfa_console.core.users.csvfile import CsvEncodingError
from mfa_console.core.users.csvio import (
    ImportInterruptedError,
    ImportReport,
    export_users,
    import_users,
)
from mfa_console.core.wording import plural
from mfa_console.ui import messages
from mfa_console.ui.tasks import Task, run_task

CSV_FILTER = "CSV files (*.csv);;All files (*)"
MAX_REASONS_SHOWN = 20


def ask_import(parent: QWidget, services: Services) -> Task | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import Users", "", CSV_FILTER)
    return start_import(parent, services, Path(name)) if name else None


def ask_export(parent: QWidget, services: Services) -> Task | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Export Users", "users.csv", CSV_FILTER)
    return start_export(parent, services, Path(name)) if name else None


def start_import(
    parent: QWidget,
    services: Services,
    path: Path,
    *,
    skip_invalid: bool = False,
    encoding: str | None = None,
) -> Task:
    """Check the file, then import it. If rows are refused, nothing is written and the
    administrator chooses: skip them and import the others, or correct the file."""

    def again(**options: object) -> None:
        start_import(parent, services, path, **{"skip_invalid": skip_invalid,
                                                "encoding": encoding, **options})  # type: ignore[arg-type]  # fmt: skip

    return run_task(
        parent,
        lambda progress: import_users(
            services.users, path, progress, skip_invalid=skip_invalid, encoding=encoding
        ),
        title=f"Importing users from {path.name}...",
        on_done=lambda report: _on_imported(parent, path, report, again),
        error_title="Import Users",
        cancellable=True,
        recover=lambda exc: _recover_import(parent, exc, again),
    )


def _recover_import(parent: QWidget, exc: ConsoleError, again: Callable[..., None]) -> bool:
    """A file that is not UTF-8: offer to read it as Excel on Windows writes it (True: handled).
    An interrupted import still refreshes the users it wrote; the task helper shows why."""
    if isinstance(exc, CsvEncodingError):
        question = (
            f"{exc.message}\n\nRead it as Windows text (cp1252, as Excel on Windows saves it)?"
        )
        if messages.confirm(parent, "Import Users", question):
            again(encoding="cp1252")
        return True
    if isinstance(exc, ImportInterruptedError) and (exc.report.created or exc.report.updated):
        _users_changed(parent)
    return False


def start_export(parent: QWidget, services: Services, path: Path) -> Task:
    return run_task(
        parent,
        lambda progress: export_users(services.users, path, progress),
        title=f"Exporting users to {path.name}...",
        on_done=lambda count: messages.info(
            parent, "Export Users", f"Exported {plural(count, 'user')} to {path}."
        ),
        error_title="Export Users",
        cancellable=True,
    )


def _on_imported(
    parent: QWidget, path: Path, report: ImportReport, again: Callable[..., None]
) -> None:
    lines = [f"Line {line}: {reason}" for line, reason in report.rejected[:MAX_REASONS_SHOWN]]
    if len(report.rejected) > MAX_REASONS_SHOWN:
        more = len(report.rejected) - MAX_REASONS_SHOWN
        lines.append(f"... and {plural(more, 'more row')}.")
    if not report.applied:
        valid = report.rows - len({line for line, _ in report.rejected})
        question = (
            f"{path.name}: {report.summary()}\n\nSkip the refused rows and import the other "
            f"{plural(valid, 'row')}? (No: correct the file and import it again.)"
        )
        if messages.confirm(parent, "Import Users", question, "\n".join(lines)):
            again(skip_invalid=True)
        return
    if report.created or report.updated:
        _users_changed(parent)
    text = f"Imported {path.name}: {report.summary()}."
    kind = messages.warning if report.rejected else messages.info
    kind(parent, "Import Users", text, "\n".join(lines))


def _users_changed(parent: QWidget) -> None:
    changed = getattr(parent.window(), "users_changed", None)
    if changed is not None:
        changed.emit()
