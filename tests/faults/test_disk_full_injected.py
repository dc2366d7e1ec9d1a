"""The full-disk paths without a mount (they run everywhere, also where ``test_disk_full``
is skipped): SQLite's own limit makes the real ``SQLITE_FULL`` at its lowest layer, and a file
object fails its writes with ``ENOSPC`` as a full disk does."""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from mfa_console.app import Services
from mfa_console.core.errors import DiskFullError
from mfa_console.core.users.csvio import ImportInterruptedError, export_users, import_users
from mfa_console.core.users.records import UserInput


def _cap_pages(services: Services, extra_pages: int) -> None:
    """From now on the data file may grow by ``extra_pages`` pages only (``max_page_count``)."""
    with services.db.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + extra_pages}")

    services.db.engine.dispose()
    event.listen(services.db.engine, "connect", on_connect)


def test_sqlite_full_is_a_one_line_disk_full(services: Services) -> None:
    _cap_pages(services, 0)
    with pytest.raises(DiskFullError) as error:
        for i in range(200):
            services.users.add(UserInput(f"u{i}@example.com", enabled=False))
    assert str(services.db.path) in str(error.value)
    assert "\n" not in str(error.value)


def test_an_import_stopped_by_sqlite_full_says_what_was_written(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    rows = "".join(f"u{i:05d}@example.com,First,Last,false\n" for i in range(3000))
    path.write_text("username,first_name,last_name,enabled\n" + rows, encoding="utf-8")
    _cap_pages(services, 400)
    with pytest.raises(ImportInterruptedError, match="the disk is full") as stopped:
        import_users(services.users, path)
    report = stopped.value.report
    assert services.users.count()[0] == report.created > 0
    assert f"lines 2 to {report.last_line} were written" in str(stopped.value)


class _FullDiskFile(io.StringIO):
    """A text file whose writes fail as on a full disk once ``room`` characters are written."""

    def __init__(self, name: Path, room: int) -> None:
        super().__init__()
        self.name, self.room = str(name), room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device", self.name)
        return super().write(text)


def test_an_export_on_a_full_disk(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(50):
        services.users.add(UserInput(f"u{i}@example.com", enabled=False))
    out = tmp_path / "out.csv"
    real_open = Path.open

    def open_full(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name.startswith(".out.csv"):
            return _FullDiskFile(self, room=2000)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_full)
    with pytest.raises(DiskFullError, match="The disk is full") as error:
        export_users(services.users, out)
    assert str(out) in str(error.value) or ".out.csv" in str(error.value)
    assert not out.exists()
