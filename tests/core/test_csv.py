"""CSV import and export: validation like Add User, rejected rows by line, streaming."""

from __future__ import annotations

import csv
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import CancelToken
from mfa_console.core.users.csvio import (
    EXPORT_FIELDS,
    ImportInterruptedError,
    export_users,
    import_users,
)
from mfa_console.core.users.records import UserInput

pytestmark = pytest.mark.both_databases


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_import_reports_each_rejected_row_and_keeps_the_valid_ones(
    services: Services, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "in.csv",
        ["username", "first_name", "email", "phone", "method", "enabled"],
        [
            ["ann@example.com", "Ann", "ann@example.com", "555-123-4567 x890", "phone-call", "yes"],
            ["bad@example.com", "Bad", "not-an-email", "425-555-0100", "", "true"],
            ["ben@example.com", "Bén", "ben@example.com", "", "mobile-app", "true"],
            ["cal@example.com", "Cal", "", "12", "text-message", "true"],
            ["dee@example.com", "Dee", "", "", "", "maybe"],
        ],
    )
    refused = import_users(services.users, path)
    assert not refused.applied and services.users.count() == (0, 0)  # nothing, by default
    assert [line for line, _ in refused.rejected] == [3, 5, 6]
    report = import_users(services.users, path, skip_invalid=True)
    assert report.applied and (report.created, report.updated) == (2, 0)
    assert [line for line, _ in report.rejected] == [3, 5, 6]
    reasons = dict(report.rejected)
    assert (
        reasons[3].startswith("Email: ")
        and reasons[5].startswith("Phone: ")
        and "maybe" in reasons[6]
    )
    ann = services.users.find("ann@example.com")
    assert (ann.phone, ann.extension) == ("+15551234567", "890")
    assert services.users.find("ben@example.com").first_name == "Bén"


def test_import_updates_existing_users_with_only_the_given_columns(
    services: Services, tmp_path: Path
) -> None:
    user = services.users.add(
        UserInput("Eve@example.com", first_name="Eve", email="eve@example.com", enabled=False)
    )
    path = _write(tmp_path / "in.csv", ["username", "phone"], [["EVE@EXAMPLE.COM", "425-555-0100"]])
    report = import_users(services.users, path)
    assert (report.created, report.updated, report.rejected) == (0, 1, [])
    after = services.users.get(user.id)
    assert (after.first_name, after.email, after.phone) == (
        "Eve",
        "eve@example.com",
        "+14255550100",
    )


def test_unknown_columns_are_refused_before_anything_changes(
    services: Services, tmp_path: Path
) -> None:
    path = _write(tmp_path / "in.csv", ["username", "shoe_size"], [["x@example.com", "9"]])
    with pytest.raises(ConsoleError, match="shoe_size"):
        import_users(services.users, path)
    assert services.users.count() == (0, 0)


def test_export_then_import_round_trip(services: Services, tmp_path: Path) -> None:
    services.users.add(UserInput("a@example.com", phone="425-555-0100", extension="12,,3",
                                 languages={"phone-call": "de"}, user_group="Sales"))  # fmt: skip
    services.users.add(UserInput("b@example.com", enabled=False, method="oath-token"))
    out = tmp_path / "out.csv"
    assert export_users(services.users, out) == 2
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(EXPORT_FIELDS)
    assert rows[0]["extension"] == "12,,3" and rows[0]["language_phone_call"] == "de"
    from mfa_console.app import open_services

    other = open_services(tmp_path / "other.db")
    try:
        trimmed = _write(
            tmp_path / "trimmed.csv",
            [f for f in EXPORT_FIELDS if f not in ("source", "directory_id", "dn")],
            [[r[f] for f in EXPORT_FIELDS if f not in ("source", "directory_id", "dn")]
             for r in rows],
        )  # fmt: skip
        report = import_users(other.users, trimmed)
        assert (report.created, report.rejected) == (2, [])
        a = other.users.find("a@example.com")
        assert (a.extension, a.languages["phone-call"], a.user_group) == ("12,,3", "de", "Sales")
        assert not other.users.find("b@example.com").enabled
    finally:
        other.close()


class _CancelWhileWriting(CancelToken):
    """Cancels once the writing pass has reported ``after`` batches."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        super().report(done, total, text)
        if text.startswith("Writing") and (after := self.after - 1) >= 0:
            self.after = after
            if after == 0:
                self.cancel()


def test_a_cancelled_import_says_what_was_written_and_can_run_again(
    services: Services, tmp_path: Path
) -> None:
    rows = [[f"u{i}@example.com", "false"] for i in range(1200)]
    path = _write(tmp_path / "in.csv", ["username", "enabled"], rows)
    checking = CancelToken()
    checking.cancel()
    with pytest.raises(CancelledError):
        import_users(services.users, path, checking)
    assert services.users.count()[0] == 0  # cancelled while checking: nothing written
    with pytest.raises(ImportInterruptedError, match="lines 2 to 501 were written") as stopped:
        import_users(services.users, path, _CancelWhileWriting(after=1))
    assert (stopped.value.report.created, stopped.value.report.last_line) == (500, 501)
    assert services.users.count()[0] == 500
    again = import_users(services.users, path)
    assert (again.created, again.updated) == (700, 500)
    assert services.users.count()[0] == 1200


@pytest.mark.sqlite_only  # a second SQLite connection on the file; PostgreSQL rows lock per row
def test_each_batch_is_its_own_short_write_transaction(services: Services, tmp_path: Path) -> None:
    """Between two batches another connection writes at once (no lock is held across them)."""
    rows = [[f"u{i}@example.com", "Name", "false"] for i in range(1600)]
    path = _write(tmp_path / "in.csv", ["username", "first_name", "enabled"], rows)
    assert services.db.path is not None
    other = sqlite3.connect(services.db.path, timeout=0, isolation_level=None)
    writes = []

    class WriteBetweenBatches(CancelToken):
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            if text.startswith("Writing"):
                other.execute("BEGIN IMMEDIATE")  # fails at once if the import held the lock
                other.execute("UPDATE meta SET value = value WHERE key = 'install_id'")
                other.execute("COMMIT")
                writes.append(done)

    try:
        report = import_users(services.users, path, WriteBetweenBatches())
    finally:
        other.close()
    assert report.created == 1600 and len(writes) == 4


def _peak_import_memory(services: Services, path: Path) -> int:
    tracemalloc.start()
    import_users(services.users, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.sqlite_only  # memory of the reader, not of the engine; long
def test_import_streams_memory_does_not_grow_with_rows(services: Services, tmp_path: Path) -> None:
    def make(name: str, count: int) -> Path:
        rows = [[f"{name}{i}@example.com", "First", f"{name}{i}@example.com", "false"]
                for i in range(count)]  # fmt: skip
        return _write(
            tmp_path / f"{name}.csv", ["username", "first_name", "email", "enabled"], rows
        )

    import_users(services.users, make("warm", 600))  # load lazy metadata first
    small = _peak_import_memory(services, make("small", 600))
    large = _peak_import_memory(services, make("large", 6000))
    assert large < small * 1.5, (small, large)
