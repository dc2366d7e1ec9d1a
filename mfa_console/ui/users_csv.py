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
        on_error=lambda exc: _on_import_failed(parent, exc, again),
    )


def _on_import_failed(parent: QWidget, exc: BaseException, again: Callable[..., None]) -> None:
    if isinstance(exc, CsvEncodingError) and messages.confirm(
        parent,
        "Import Users",
        f"{exc.message}\n\nRead it as Windows text (cp1252, as Excel on Windows saves it)?",
    ):
        again(encoding="cp1252")
        return
    if isinstance(exc, ImportInterruptedError) and (exc.report.created or exc.report.updated):
        _users_changed(parent)
    _show_error(parent, "Import Users", exc)


def start_export(parent: QWidget, services: Services, path: Path) -> Task:
    return run_task(
        parent,
        lambda progress: export_users(services.users, path, progress),
        title=f"Exporting users to {path.name}...",
        on_done=lambda count: messages.info(
            parent, "Export Users", f"Exported {count:,} users to {path}."
        ),
        on_error=lambda exc: _show_error(parent, "Export Users", exc),
    )


def _on_imported(
    parent: QWidget, path: Path, report: ImportReport, again: Callable[..., None]
) -> None:
    lines = [f"Line {line}: {reason}" for line, reason in report.rejected[:MAX_REASONS_SHOWN]]
    if len(report.rejected) > MAX_REASONS_SHOWN:
        lines.append(
            f"... and {len(report.rejected) - MAX_REASONS_SHOWN:,} more "
            "(`mfa-console users import FILE --json` lists them all)."
        )
    if not report.applied:
        valid = report.rows - len({line for line, _ in report.rejected})
        question = (
            f"{path.name}: {report.summary()}\n\nSkip the refused rows and import the other "
            f"{valid:,}? (No: correct the file and import it again.)"
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


def _show_error(parent: QWidget, title: str, exc: BaseException) -> None:
    if isinstance(exc, ConsoleError):
        messages.error(parent, title, exc)
    elif isinstance(exc, OSError):
        messages.error(parent, title, f"{exc.strerror or exc}: {exc.filename or ''}".strip())
    else:
        raise exc
