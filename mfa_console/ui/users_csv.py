"""File > Import Users... and File > Export Users...: CSV through the core, off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from mfa_console.app import Services
from mfa_console.core.users.csvio import ImportReport, export_users, import_users
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


def start_import(parent: QWidget, services: Services, path: Path) -> Task:
    return run_task(
        parent,
        lambda progress: import_users(services.users, path, progress),
        title=f"Importing users from {path.name}...",
        on_done=lambda report: _on_imported(parent, path, report),
        error_title="Import Users",
        cancellable=True,
    )


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


def _on_imported(parent: QWidget, path: Path, report: ImportReport) -> None:
    changed = getattr(parent.window(), "users_changed", None)
    if changed is not None and (report.created or report.updated):
        changed.emit()
    text = (
        f"Imported {path.name}: {report.created:,} created, {report.updated:,} updated, "
        f"{len(report.rejected):,} rejected."
    )
    lines = [f"Line {line}: {reason}" for line, reason in report.rejected[:MAX_REASONS_SHOWN]]
    if len(report.rejected) > MAX_REASONS_SHOWN:
        more = len(report.rejected) - MAX_REASONS_SHOWN
        lines.append(f"... and {plural(more, 'more row')}. Correct them and import the file again.")
    kind = messages.warning if report.rejected else messages.info
    kind(parent, "Import Users", text, "\n".join(lines))
