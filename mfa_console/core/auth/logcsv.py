"""Export the authentication log to CSV: usernames come from outside, so formulas are defused."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from mfa_console.core.auth.log import AuthLogEntry, LogFilter, iterate
from mfa_console.core.db import Database
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import NullProgress, Progress, check_cancel

FIELDS = ["id", "at", "username", "first_name", "last_name", "email", "method", "mode", "result",
          "reason", "server_name", "server_ip", "client_ip", "application"]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")
BATCH = 2000


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula: keep it text.
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_row(entry: AuthLogEntry) -> list[str]:
    data = entry.to_json()
    return [safe_cell(data[name]) for name in FIELDS]


def export_csv(db: Database, where: LogFilter, path: Path, progress: Progress | None = None) -> int:
    """Write the filtered log (newest first) to ``path``; a cancelled export leaves no file."""
    progress = progress or NullProgress()
    partial = path.with_name(f".{path.name}.partial")
    written = 0
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            for entry in iterate(db, where):
                writer.writerow(csv_row(entry))
                written += 1
                if written % BATCH == 0:
                    progress.report(written, None, "Exporting the authentication log")
                    check_cancel(progress)
        os.replace(partial, path)
    except OSError as exc:
        raise ConsoleError(
            f"Cannot write {path}: {exc.strerror or exc}.", hint="Choose a folder you may write to."
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return written
