"""The data file: where it lives, migrations, and refusing what must not be touched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from mfa_console.core.db import engine as engine_module
from mfa_console.core.db import open_database, resolve_url
from mfa_console.core.db.migrate import head_revisions
from mfa_console.core.errors import DataFileError, DataFileLockedError, SchemaTooNewError
from mfa_console.core.settings import SettingsStore
from mfa_console.core.users.records import UserInput
from mfa_console.core.users.service import UserService


def _users(path: Path) -> UserService:
    db = open_database(path)
    return UserService(db, SettingsStore(db))


def test_resolve_url_prefers_argument_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFA_CONSOLE_DATA", str(tmp_path / "env.db"))
    assert resolve_url(tmp_path / "arg.db") == f"sqlite:///{tmp_path / 'arg.db'}"
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"  # psycopg 3
    monkeypatch.delenv("MFA_CONSOLE_DATA")
    assert resolve_url(None).endswith("mfa-console.db")


def test_new_file_uses_wal_foreign_keys_and_busy_timeout(data_file: Path) -> None:
    db = open_database(data_file)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert timeout == engine_module.BUSY_TIMEOUT_MS
    assert set(db.schema_revision().split(",")) == set(head_revisions())


def test_file_made_at_first_revision_opens_after_upgrade(data_file: Path) -> None:
    from alembic import command

    from mfa_console.core.db.migrate import _config

    engine = create_engine(f"sqlite:///{data_file}")
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0001_spine")
        conn.exec_driver_sql(
            "INSERT INTO users (username, username_key, first_name, last_name, email, user_group,"
            " extension, backup_extension, method, mode, pin_change_required, pin_history,"
            " language_phone_call, language_text_message, language_mobile_app,"
            " language_oath_token, enabled, source, created_at, updated_at, updated_by, version)"
            " VALUES ('old@example.com', 'old@example.com', 'Old', '', '', '', '', '',"
            " 'phone-call', 'standard', 0, '[]', 'en', 'en', 'en', 'en', 1, 'manual', '2020-01-01',"
            " '2020-01-01', 'x', 1)"
        )
    engine.dispose()
    users = _users(data_file)
    assert users.find("OLD@example.com").first_name == "Old"


def test_not_sqlite_is_refused_and_left_untouched(data_file: Path) -> None:
    data_file.write_bytes(b"this is a spreadsheet, not a database\n" * 10)
    before = data_file.read_bytes()
    with pytest.raises(DataFileError, match="not an MFA Console data file"):
        open_database(data_file)
    assert data_file.read_bytes() == before


def test_foreign_sqlite_database_is_refused_and_left_untouched(data_file: Path) -> None:
    conn = sqlite3.connect(data_file)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = data_file.read_bytes()
    with pytest.raises(DataFileError, match="not an MFA Console data file"):
        open_database(data_file)
    assert data_file.read_bytes() == before


def test_corrupt_file_is_reported_and_left_untouched(data_file: Path) -> None:
    users = _users(data_file)
    for i in range(300):
        users.add(UserInput(f"user{i}@example.com", first_name="x" * 50, enabled=False))
    users._db.dispose()
    raw = bytearray(data_file.read_bytes())
    raw[4096 : 4096 * 6] = b"\xff" * (4096 * 5)  # smash the first pages after the header page
    data_file.write_bytes(bytes(raw))
    before = data_file.read_bytes()
    with pytest.raises(DataFileError) as info:
        _users(data_file).count()
    assert "damaged" in info.value.message or "not an MFA Console" in info.value.message
    assert data_file.read_bytes() == before


def test_newer_schema_is_refused_and_left_untouched(data_file: Path) -> None:
    open_database(data_file).dispose()
    conn = sqlite3.connect(data_file)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = data_file.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version of MFA Console") as info:
        open_database(data_file)
    assert "Install the newer" in info.value.hint
    assert data_file.read_bytes() == before


def test_unreadable_file_is_reported(data_file: Path) -> None:
    data_file.mkdir()  # unreadable as a file, even for root
    with pytest.raises(DataFileError, match="Cannot read"):
        open_database(data_file)


def test_locked_file_is_reported_not_waited_on_forever(
    data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 300)
    users = _users(data_file)
    holder = sqlite3.connect(data_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(DataFileLockedError, match="locked by another program") as info:
            users.add(UserInput("late@example.com", enabled=False))
        assert "Close the other console" in info.value.hint
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert users.add(UserInput("late@example.com", enabled=False)).username == "late@example.com"


WRITER = textwrap.dedent(
    """
    import sys
    from mfa_console.app import open_services
    from mfa_console.core.users.records import UserInput
    services = open_services(sys.argv[1])
    for i in range(60):
        services.users.add(UserInput(f"{sys.argv[2]}-{i}@example.com", enabled=False))
    """
)


def test_two_processes_writing_one_file_lose_nothing(data_file: Path) -> None:
    open_database(data_file).dispose()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(data_file), name])
        for name in ("left", "right")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    users = _users(data_file)
    assert users.count() == (120, 0)
    with users._db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def _damaged(path: Path) -> None:
    path.write_bytes(b"")


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 10)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _too_new(path: Path) -> None:
    open_database(path).dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()


def _cannot_create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "not-a-folder").write_text("x")


@pytest.mark.parametrize(
    ("make", "command_words"),
    [
        (_damaged, "mfa-console backup restore"),
        (_not_sqlite, "--data"),
        (_foreign, "--data"),
        (_too_new, "9999_from_the_future"),
        (_cannot_create, "--data"),
    ],
)
def test_a_data_file_problem_is_worded_for_the_window_and_for_the_command_line(
    data_file: Path, make: Callable[[Path], None], command_words: str
) -> None:
    make(data_file)
    target = data_file.parent / "not-a-folder" / "x.db" if make is _cannot_create else data_file
    with pytest.raises(DataFileError) as info:
        open_database(target)
    shown = str(info.value)  # as the window shows it: message and hint
    assert "--" not in shown and "mfa-console " not in shown and "_from_the_future" not in shown
    assert info.value.hint and ("data file" in info.value.hint or "backup" in info.value.hint)
    assert command_words in info.value.for_command_line()


def test_the_command_line_prints_its_own_hint(data_file: Path) -> None:
    _damaged(data_file)
    done = subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data_file), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "mfa-console backup restore BACKUP_FILE" in done.stderr and "--data" in done.stderr
