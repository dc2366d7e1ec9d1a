"""CSV import and export of users, streamed: 200,000 rows need no more memory than 200.

The header row uses the JSON field names (``username, first_name, ..., enabled``); only the columns
present are imported, so a file with ``username,phone`` updates phones and leaves the rest alone.
A row whose username exists updates that user.

Import reads the whole file twice. The first pass checks every row exactly like Add User (and that
no username appears twice, in any case) and writes nothing: if any row is refused, nothing is
imported and every problem is reported by line, unless the caller asked to skip refused rows. The
second pass writes the rows in batches of ``BATCH``, each its own short write transaction (a
200,000-row import never holds the write lock for long, so verifications and other consoles go
on). If the second pass stops (cancel, full disk, an error), ``ImportInterruptedError`` says which
lines were written; running the same import again is safe (rows update the users they created).

Export neutralises spreadsheet formulas in a way that import undoes (``csvfile.neutralize``).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfa_console.core import diskfull
from mfa_console.core.errors import CancelledError, ConsoleError, DiskFullError, FileAccessError
from mfa_console.core.progress import NullProgress, Progress, check_cancel
from mfa_console.core.users import csvcheck, csvfile
from mfa_console.core.users.methods import LANGUAGE_FIELDS
from mfa_console.core.users.records import User, UserInput
from mfa_console.core.users.service import UserService

EXPORT_FIELDS = (
    "username", "first_name", "last_name", "email", "user_group", "phone", "extension",
    "backup_phone", "backup_extension", "method", "mode", "language", *LANGUAGE_FIELDS.values(),
    "enabled", "source", "directory_id", "dn",
)  # fmt: skip
IMPORTABLE = frozenset(EXPORT_FIELDS) - {"source", "directory_id", "dn"}
BATCH = 500
_TRUE = {"1", "true", "yes", "y", "on", "enabled"}
_FALSE = {"0", "false", "no", "n", "off", "disabled"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    applied: bool = True  # False: refused rows were found and nothing was imported
    rows: int = 0  # rows read (not counting blank lines)
    last_line: int = 0  # the last line written

    def to_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "created": self.created,
            "updated": self.updated,
            "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
            "last_line_written": self.last_line,
        }

    def summary(self) -> str:
        if not self.applied:
            return (
                f"Nothing was imported: {len(self.rejected):,} of {self.rows:,} rows have problems."
            )
        return (
            f"{self.created:,} created, {self.updated:,} updated, {len(self.rejected):,} rejected"
        )


class ImportInterruptedError(ConsoleError):
    """The writing pass stopped part-way; ``report`` has what was written (up to its line)."""

    def __init__(self, cause: BaseException, report: ImportReport) -> None:
        self.report, self.cause = report, cause
        written = (
            f"lines 2 to {report.last_line} were written ({report.created:,} created, "
            f"{report.updated:,} updated)"
            if report.last_line
            else "nothing was written"
        )
        reason = cause.message if isinstance(cause, ConsoleError) else str(cause)
        if isinstance(cause, DiskFullError):
            reason = f"the disk is full: cannot write {cause.where}"
        super().__init__(
            f"The import stopped: {reason.rstrip('.')}; {written}.",
            hint="Running the same import again is safe: it updates the users already imported.",
        )


def export_users(users: UserService, path: Path, progress: Progress | None = None) -> int:
    """Write every user to ``path`` (written to a temporary name, renamed when complete)."""
    progress = progress or NullProgress()
    total = users.count()[0]
    temporary = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with diskfull.reported(path), temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for user in users.iter_all():
                writer.writerow(_export_row(user))
                count += 1
                if count % BATCH == 0:
                    check_cancel(progress)
                    progress.report(count, total, f"Exported {count:,} of {total:,} users")
            handle.flush()
        temporary.replace(path)
    except OSError as exc:
        raise FileAccessError.writing(path, exc) from None
    finally:
        temporary.unlink(missing_ok=True)
    return count


def _export_row(user: User) -> dict[str, Any]:
    data = user.to_json()
    row = {name: data.get(name) for name in EXPORT_FIELDS}
    for method, column in LANGUAGE_FIELDS.items():
        row[column] = user.languages[method]
    row["enabled"] = "true" if user.enabled else "false"
    return {k: csvfile.neutralize("" if v is None else str(v)) for k, v in row.items()}


def import_users(
    users: UserService,
    path: Path,
    progress: Progress | None = None,
    *,
    skip_invalid: bool = False,
    encoding: str | None = None,
) -> ImportReport:
    """Check every row of ``path``, then (if none is refused, or ``skip_invalid``) write them in
    batches. Refused rows are in ``report.rejected``; ``report.applied`` is False when they kept
    the file from being imported."""
    progress = progress or NullProgress()
    report = ImportReport()
    try:
        with csvcheck.Duplicates() as duplicates:
            report.rejected, report.rows = _check_file(users, path, encoding, progress, duplicates)
    except OSError as exc:
        if diskfull.is_full(exc):
            raise diskfull.disk_full(exc.filename or path) from None
        raise FileAccessError.reading(path, exc) from None
    if report.rejected and not skip_invalid:
        report.applied = False
        return report
    refused = {line for line, _ in report.rejected}
    try:
        _apply_file(users, path, encoding, progress, refused, report)
    except (ConsoleError, OSError, KeyboardInterrupt) as exc:
        if report.last_line == 0 and isinstance(exc, CancelledError):
            raise
        if isinstance(exc, OSError) and diskfull.is_full(exc):
            exc = diskfull.disk_full(exc.filename or path)
        raise ImportInterruptedError(exc, report) from exc
    except BaseException as exc:  # a bug: its traceback, and what was written before it
        exc.add_note(f"The import wrote lines 2 to {report.last_line} of {path} before this.")
        raise
    return report


def _check_file(
    users: UserService,
    path: Path,
    encoding: str | None,
    progress: Progress,
    duplicates: csvcheck.Duplicates,
) -> tuple[list[tuple[int, str]], int]:
    """First pass: every problem, by line; nothing is written."""
    size = max(path.stat().st_size, 1)
    shapes: list[tuple[int, str]] = []  # rows with a wrong number of values
    problems: list[tuple[int, str]] = []
    rows = 0
    rows_file = csvfile.open_rows(path, encoding)
    try:
        columns = _check_header(rows_file.columns, path)
        for batch in _batches(rows_file, shapes):
            check_cancel(progress)
            rows += len(batch)
            problems.extend(duplicates.check(batch))
            prepared = _prepare(users, batch, columns, problems)
            problems.extend(users.check_many(prepared))
            progress.report(rows_file.position(), size, f"Checking: {rows:,} rows read")
    finally:
        rows_file.close()
    return sorted(shapes + problems), rows + len(shapes)


def _apply_file(
    users: UserService,
    path: Path,
    encoding: str | None,
    progress: Progress,
    refused: set[int],
    report: ImportReport,
) -> None:
    """Second pass: the rows not refused, in batches, each batch one short transaction."""
    size = max(path.stat().st_size, 1)
    rows_file = csvfile.open_rows(path, encoding)
    try:
        columns = _check_header(rows_file.columns, path)
        for batch in _batches(rows_file, []):
            check_cancel(progress)
            todo = [(line, row) for line, row in batch if line not in refused]
            problems: list[tuple[int, str]] = []
            result = users.save_many(_prepare(users, todo, columns, problems))
            report.created += result.created
            report.updated += result.updated
            report.rejected = sorted([*report.rejected, *problems, *result.rejected])
            report.last_line = batch[-1][0]
            progress.report(rows_file.position(), size, "Writing: " + report.summary())
    finally:
        rows_file.close()


def _batches(
    rows_file: csvfile.CsvRows, problems: list[tuple[int, str]]
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for line, row in rows_file:
        if isinstance(row, str):
            problems.append((line, row))
            continue
        batch.append((line, row))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_header(fieldnames: tuple[str, ...], path: Path) -> frozenset[str]:
    if not fieldnames or "username" not in fieldnames:
        raise csvfile.CsvFileError(
            f"{path.name} has no 'username' column in its first line.",
            hint=f"The first line names the columns, e.g. {','.join(EXPORT_FIELDS[:6])}.",
        )
    unknown = [name for name in fieldnames if name not in IMPORTABLE]
    if unknown:
        raise csvfile.CsvFileError(
            f"{path.name} has columns MFA Console does not know: {', '.join(unknown)}.",
            hint=f"Known columns: {', '.join(sorted(IMPORTABLE))}.",
        )
    return frozenset(fieldnames)


def _prepare(
    users: UserService,
    batch: list[tuple[int, dict[str, str]]],
    columns: frozenset[str],
    problems: list[tuple[int, str]],
) -> list[tuple[int, UserInput]]:
    """The input of each row (merged over the existing user); rows that fail go to problems."""
    prepared: list[tuple[int, UserInput]] = []
    existing = users.find_many([row["username"] for _, row in batch])
    for line, row in batch:
        try:
            current = existing.get((row.get("username") or "").strip().lower())
            prepared.append((line, _to_input(row, columns, current)))
        except ValueError as exc:
            problems.append((line, str(exc)))
    return prepared


def _to_input(row: dict[str, str], columns: frozenset[str], current: User | None) -> UserInput:
    base = current.to_input() if current else UserInput(username="")
    values: dict[str, Any] = {}
    for name in columns & {f.name for f in dataclasses.fields(UserInput)}:
        if name == "enabled":
            values[name] = _boolean(row.get(name) or "")
        elif name not in ("country_code", "backup_country_code", "languages"):
            values[name] = (row.get(name) or "").strip()
    languages = dict(base.languages)
    if "language" in columns and row.get("language"):
        languages = dict.fromkeys(LANGUAGE_FIELDS, row["language"].strip())
    for method, column in LANGUAGE_FIELDS.items():
        if column in columns and row.get(column):
            languages[method] = row[column].strip()
    values["languages"] = languages
    for name in ("method", "mode"):
        if name in values and not values[name]:
            values[name] = None
    if "method" in values and "mode" not in columns:
        values["mode"] = None  # a new method takes its default mode
    return dataclasses.replace(base, **values)


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value == "":
        return True  # an empty cell keeps the default: enabled
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"enabled: {text!r} is not true or false")
