"""A full disk, on a real small file system: one line that says so and where, nothing half-done
left unreported, and the same command works once space is freed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.app import open_services
from mfa_console.core.db import open_database
from mfa_console.core.errors import DiskFullError
from tests.faults.small_disk import SmallDisk, mount_small_disk


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mfa_console", "--data", str(data), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _one_line_disk_full(done: subprocess.CompletedProcess[str], where: Path) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # Progress lines may come first (backup); the reason is one line.
    lines = [line for line in done.stderr.splitlines() if line.startswith("mfa-console:")]
    assert len(lines) == 1, done.stderr
    assert "the disk is full" in lines[0].lower() and str(where) in lines[0], lines[0]
    return lines[0]


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _csv(path: Path, count: int) -> Path:
    rows = "".join(f"user{i:06d}@example.com,First {i},Last,false\n" for i in range(count))
    path.write_text("username,first_name,last_name,enabled\n" + rows, encoding="utf-8")
    return path


def test_users_import_on_a_full_disk(tmp_path: Path) -> None:
    with mount_small_disk(tmp_path / "disk", "32m") as small_disk:
        _import_on_a_full_disk(small_disk, tmp_path)


def _import_on_a_full_disk(small_disk: SmallDisk, tmp_path: Path) -> None:
    data = small_disk.root / "console.db"
    open_services(data).close()
    source = _csv(tmp_path / "in.csv", 8_000)
    small_disk.fill(leave=2_000_000)  # a few batches fit, then the disk is full
    done = cli(data, "users", "import", str(source))
    line = _one_line_disk_full(done, data)
    assert "The import stopped: the disk is full" in line and "were written" in line
    assert "again is safe" in line
    assert _integrity(data) == "ok"
    small_disk.free()
    again = cli(data, "users", "import", str(source), "--json")
    assert again.returncode == 0, again.stderr
    services = open_services(data)
    try:
        assert services.users.count()[0] == 8_000
    finally:
        services.close()


def test_settings_on_a_full_disk(small_disk: SmallDisk) -> None:
    data = small_disk.root / "console.db"
    open_services(data).close()
    small_disk.fill()
    _one_line_disk_full(cli(data, "sync", "settings", "--interval", "2h"), data)
    small_disk.free()
    assert cli(data, "sync", "settings", "--interval", "2h").returncode == 0


def test_backup_create_on_a_full_disk_leaves_no_partial_file(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    data = tmp_path / "console.db"
    services = open_services(data)
    try:
        source = _csv(tmp_path / "in.csv", 5_000)
        from mfa_console.core.users.csvio import import_users

        import_users(services.users, source)
    finally:
        services.close()
    folder = small_disk.root / "backups"
    folder.mkdir()
    small_disk.fill(leave=64_000)
    destination = folder / "b.mfabackup"
    line = _one_line_disk_full(cli(data, "backup", "create", str(destination)), destination)
    assert "no backup was made" in line
    assert sorted(p.name for p in folder.iterdir()) == []
    small_disk.free()
    assert cli(data, "backup", "create", str(destination)).returncode == 0


def test_a_new_data_file_on_a_full_disk_is_not_left_half_made(small_disk: SmallDisk) -> None:
    small_disk.fill()
    data = small_disk.root / "new.db"
    with pytest.raises(DiskFullError, match="The disk is full") as error:
        open_database(data)
    assert str(data) in str(error.value)
    assert not data.exists()  # a 0-byte file would be refused as damaged next time
    small_disk.free()
    open_database(data).dispose()


def test_users_export_on_a_full_disk(small_disk: SmallDisk, tmp_path: Path) -> None:
    data = tmp_path / "console.db"
    services = open_services(data)
    try:
        from mfa_console.core.users.csvio import import_users

        import_users(services.users, _csv(tmp_path / "in.csv", 3_000))
    finally:
        services.close()
    small_disk.fill(leave=16_000)
    out = small_disk.root / "out.csv"
    _one_line_disk_full(cli(data, "users", "export", str(out)), out)
    assert [p.name for p in small_disk.root.iterdir() if p.name != ".filler"] == []


def test_a_full_log_disk_does_not_break_commands(small_disk: SmallDisk, tmp_path: Path) -> None:
    data = tmp_path / "console.db"
    open_services(data).close()
    logs = small_disk.root / "logs"
    small_disk.fill()
    env = {**os.environ, "MFA_CONSOLE_LOG_DIR": str(logs)}
    command = [sys.executable, "-m", "mfa_console", "--data", str(data), "backup", "create",
               str(tmp_path / "b.mfabackup")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "Logging error" not in done.stderr and "Traceback" not in done.stderr


def test_restore_on_a_full_disk_changes_nothing(small_disk: SmallDisk, tmp_path: Path) -> None:
    from mfa_console.core.backup import create_backup

    other = tmp_path / "other.db"
    services = open_services(other)
    try:
        from mfa_console.core.users.csvio import import_users

        import_users(services.users, _csv(tmp_path / "in.csv", 300))
    finally:
        services.close()
    backup = create_backup(other, tmp_path / "b.mfabackup").path
    data = small_disk.root / "console.db"
    open_services(data).close()
    small_disk.fill(leave=64_000)
    line = _one_line_disk_full(cli(data, "backup", "restore", str(backup)), small_disk.root)
    assert "the restore did not start" in line or "Safety backup" in line or "disk is full" in line
    assert _integrity(data) == "ok"
    services = open_services(data)
    try:
        assert services.users.count()[0] == 0  # the data file as it was
    finally:
        services.close()
    assert [p.name for p in small_disk.root.iterdir() if p.name.startswith(".")] == [".filler"]
    small_disk.free()
    done = cli(data, "backup", "restore", str(backup))
    assert done.returncode == 0, done.stderr
