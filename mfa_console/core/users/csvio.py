"""CSV import and export of users, streamed: 200,000 rows need no more memory than 200.

The header row uses the JSON field names (``username, first_name, ..., enabled``); only the columns
present are imported, so a file with ``username,phone`` updates phones and leaves the rest alone.
Every row is validated exactly like Add User; valid rows are written in batches, each rejected row
is reported with its line number and reason. A row whose username exists updates that user.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfa_console.core.errors import ConsoleError, FileAccessError
from mfa_console.core.progress import NullProgress, Progress, check_cancel
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

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
        }


def export_users(users: UserService, path: Path, progress: Progress | None = None) -> int:
    """Write every user to ``path`` (written to a temporary name, renamed when complete)."""
    progress = progress or NullProgress()
    total = users.count()[0]
    temporary = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for user in users.iter_all():
                writer.writerow(_export_row(user))
                count += 1
                if count % BATCH == 0:
                    check_cancel(progress)
                    progress.report(count, total, f"Exported {count:,} of {total:,} users")
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
    return {k: ("" if v is None else v) for k, v in row.items()}


def import_users(users: UserService, path: Path, progress: Progress | None = None) -> ImportReport:
    """Import ``path``; rows are validated like Add User and written in batches."""
    progress = progress or NullProgress()
    try:
        return _import_file(users, path, progress)
    except OSError as exc:
        raise FileAccessError.reading(path, exc) from None


def _import_file(users: UserService, path: Path, progress: Progress) -> ImportReport:
    report = ImportReport()
    size = max(path.stat().st_size, 1)
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = _check_header(reader.fieldnames, path)
        batch: list[tuple[int, dict[str, str]]] = []
        for line, row in _numbered(reader):
            batch.append((line, row))
            if len(batch) >= BATCH:
                check_cancel(progress)
                _import_batch(users, batch, columns, report)
                batch.clear()
                progress.report(raw.tell(), size, _summary(report))
        _import_batch(users, batch, columns, report)
    progress.report(size, size, _summary(report))
    return report


def _summary(report: ImportReport) -> str:
    return (
        f"{report.created:,} created, {report.updated:,} updated, {len(report.rejected):,} rejected"
    )


def _numbered(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for row in reader:
        yield reader.line_num, row


def _check_header(fieldnames: Any, path: Path) -> frozenset[str]:
    if not fieldnames or "username" not in fieldnames:
        raise ConsoleError(
            f"{path.name} has no 'username' column in its first line.",
            hint=f"The first line names the columns, e.g. {','.join(EXPORT_FIELDS[:6])}.",
        )
    unknown = [name for name in fieldnames if name not in IMPORTABLE]
    if unknown:
        raise ConsoleError(
            f"{path.name} has columns MFA Console does not know: {', '.join(unknown)}.",
            hint=f"Known columns: {', '.join(sorted(IMPORTABLE))}.",
        )
    return frozenset(fieldnames)


def _import_batch(
    users: UserService,
    batch: list[tuple[int, dict[str, str]]],
    columns: frozenset[str],
    report: ImportReport,
) -> None:
    if not batch:
        return
    prepared: list[tuple[int, UserInput]] = []
    rejected: list[tuple[int, str]] = []
    existing = users.find_many([row["username"] for _, row in batch])
    for line, row in batch:
        try:
            current = existing.get((row.get("username") or "").strip().lower())
            prepared.append((line, _to_input(row, columns, current)))
        except ValueError as exc:
            rejected.append((line, str(exc)))
    result = users.save_many(prepared)
    report.created += result.created
    report.updated += result.updated
    report.rejected.extend(sorted(rejected + result.rejected))


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
