"""``mfa-console status`` and ``mfa-console backup ...`` end to end, as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mfa_console.core.db.migrate import head_revisions
from tests.backup.bulk import add_users, usernames

ROOT = Path(__file__).resolve().parents[2]


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_status_json(tmp_path: Path) -> None:
    data = tmp_path / "a.db"
    add_users(data, 70)
    done = cli(data, "status", "--json")
    assert done.returncode == 0, done.stderr
    sections = {s["key"]: s for s in json.loads(done.stdout)["sections"]}
    assert sections["users"]["total"] == 70 and sections["users"]["disabled"] == 10
    assert sections["email"]["state"] == "not-configured"
    text = cli(data, "status")
    assert "Users [CHECK]" in text.stdout and "70 users" in text.stdout


def test_backup_create_verify_restore_json(tmp_path: Path) -> None:
    data = tmp_path / "a.db"
    add_users(data, 40)
    backup = tmp_path / "out.mfabackup"
    created = cli(data, "backup", "create", str(backup), "--json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["user_count"] == 40
    verified = json.loads(cli(data, "backup", "verify", str(backup), "--json").stdout)
    assert verified["ok"] and verified["restorable"]
    assert verified["manifest"]["sha256"] == json.loads(created.stdout)["sha256"]
    add_users(data, 5, prefix="later")
    # Restore on "another machine": a fresh data file that does not exist yet.
    fresh = tmp_path / "new" / "mfa-console.db"
    restored = cli(fresh, "backup", "restore", str(backup), "--json")
    assert restored.returncode == 0, restored.stderr
    report = json.loads(restored.stdout)
    assert report["users"] == 40 and report["schema_after"] == ",".join(sorted(head_revisions()))
    assert len(usernames(fresh)) == 40
    again = cli(data, "backup", "restore", str(backup))
    assert again.returncode == 0 and "Restored 40 users" in again.stdout
    assert len(usernames(data)) == 40


def test_damaged_backup_fails_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "a.db"
    add_users(data, 3)
    bad = tmp_path / "bad.mfabackup"
    bad.write_bytes(b"PK\x03\x04 not really")
    for action in ("verify", "restore"):
        done = cli(data, "backup", action, str(bad), "--json")
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "cannot be used" in done.stderr
    assert len(usernames(data)) == 3


def test_restore_over_a_damaged_data_file(tmp_path: Path) -> None:
    data = tmp_path / "a.db"
    add_users(data, 12)
    backup = tmp_path / "b.mfabackup"
    assert cli(data, "backup", "create", str(backup)).returncode == 0
    for companion in (tmp_path / "a.db-wal", tmp_path / "a.db-shm"):
        companion.unlink(missing_ok=True)
    data.write_bytes(b"SQLite format 3\x00" + b"\xee" * 10_000)
    assert cli(data, "status").returncode == 1
    done = cli(data, "backup", "restore", str(backup), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unreadable_file_kept"].startswith(str(data))
    assert len(usernames(data)) == 12


def test_schedule_settings(tmp_path: Path) -> None:
    data = tmp_path / "a.db"
    folder = tmp_path / "nightly"
    done = cli(
        data, "backup", "schedule", "--enable", "--folder", str(folder), "--keep", "3", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "enabled": True, "interval_hours": 24, "folder": str(folder), "keep": 3,
    }  # fmt: skip
    bad = cli(data, "backup", "schedule", "--interval-hours", "0")
    assert bad.returncode == 1 and "Back up every: " in bad.stderr
