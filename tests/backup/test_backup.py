"""Backup and restore round trips, with another process writing the whole time."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from mfa_console.core.backup import BackupCorruptError, create_backup, restore_backup
from mfa_console.core.backup import verify_backup as verify
from mfa_console.core.backup.container import read_manifest
from mfa_console.core.db import open_database
from mfa_console.core.db.lease import Lease, LeaseHeldError
from mfa_console.core.db.migrate import head_revisions
from mfa_console.core.errors import CancelledError
from mfa_console.core.progress import CancelToken
from tests.backup.bulk import usernames
from tests.backup.conftest import Actor, integrity


def live_numbers(names: set[str]) -> list[int]:
    return sorted(int(n[4:]) for n in names if n.startswith("live"))


def test_backup_while_another_process_writes_is_consistent(
    filled: Path, writer: Actor, tmp_path: Path
) -> None:
    result = create_backup(filled, tmp_path)
    verified = verify(result.path, extract_to=tmp_path / "copy.db")
    names = usernames(tmp_path / "copy.db")
    assert verified.manifest.user_count == len(names)
    assert {f"old{i:06d}" for i in range(3000)} <= names
    live = live_numbers(names)
    assert live == list(range(len(live)))  # a prefix of the writer's commits: one snapshot
    assert len(live) >= 1


def test_restore_while_another_process_writes(filled: Path, writer: Actor, tmp_path: Path) -> None:
    backup = create_backup(filled, tmp_path).path
    in_backup = verify(backup, extract_to=tmp_path / "copy.db").manifest.user_count
    writer.wait_for(lambda line: line.startswith("live") and int(line[4:]) > 5 + in_backup - 3000)
    written_before = max(int(line[4:]) for line in list(writer.lines) if line.startswith("live"))
    result = restore_backup(backup, filled)
    # The writer goes on during the restore (into the file the restore replaces), and the last
    # line it printed by now may be of a write just before the swap; the next one is after it.
    restored_at = max(int(line[4:]) for line in list(writer.lines) if line.startswith("live"))
    writer.wait_for(lambda line: line.startswith("live") and int(line[4:]) > restored_at + 1)
    names = usernames(filled)
    assert integrity(filled) == "ok"
    backup_names = usernames(tmp_path / "copy.db")
    assert backup_names <= names
    # Everything written after the backup and before the restore is gone; later writes landed.
    extra = live_numbers(names - backup_names)
    assert extra and min(extra) > written_before
    assert result.safety_backup is not None and result.safety_backup.exists()
    safety = verify(result.safety_backup, extract_to=tmp_path / "safety.db")
    assert safety.manifest.user_count >= 3000 + written_before


def test_backup_file_is_a_database_with_its_manifest_at_the_end(
    filled: Path, tmp_path: Path
) -> None:
    result = create_backup(filled, tmp_path / "b.mfabackup", secrets=("email.smtp-password",))
    manifest = read_manifest(result.path)
    assert manifest == result.manifest
    assert manifest.user_count == 3000
    assert manifest.schema_revisions == tuple(sorted(head_revisions()))
    assert manifest.secrets == ("email.smtp-password",)
    data = result.path.read_bytes()
    assert hashlib.sha256(data[: manifest.size]).hexdigest() == manifest.sha256
    assert re.fullmatch(r"[0-9a-f]{64}", manifest.sha256)
    assert manifest.source == str(filled)
    # Any SQLite tool opens the backup file itself, read-only.
    conn = sqlite3.connect(f"{result.path.as_uri()}?mode=ro&immutable=1", uri=True)
    assert conn.execute("SELECT count(*) FROM users").fetchone() == (3000,)
    conn.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _flip_byte_in_database(backup: Path) -> None:
    data = bytearray(backup.read_bytes())
    data[2 * 4096 + 100] ^= 0xFF  # inside page 3
    backup.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip", "truncate", "not-a-backup"])
def test_damaged_backup_is_refused_and_changes_nothing(
    filled: Path, tmp_path: Path, damage: str
) -> None:
    backup = create_backup(filled, tmp_path / "b.mfabackup").path
    if damage == "flip":
        _flip_byte_in_database(backup)
    elif damage == "truncate":
        backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    else:
        backup.write_bytes(b"PK\x03\x04" + b"\x00" * 4000)
    before = (usernames(filled), filled.read_bytes())
    with pytest.raises(BackupCorruptError, match="Nothing was changed"):
        restore_backup(backup, filled)
    assert (usernames(filled), filled.read_bytes()) == before
    assert not (filled.parent / "backups").exists()
    left = {p.name for p in filled.parent.iterdir()} - {"console.db-wal", "console.db-shm"}
    assert left == {"console.db"}


def test_cancelled_backup_leaves_no_file(filled: Path, tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        create_backup(filled, tmp_path / "b.mfabackup", progress=token)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".mfabackup"]


def test_cancelled_restore_keeps_the_old_data(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFA_CONSOLE_TEST_STEP_PAGES", "50")
    backup = create_backup(filled, tmp_path / "b.mfabackup").path
    db = open_database(filled)
    with db.write() as session:
        session.execute(text("DELETE FROM users WHERE id % 2 = 0"))
    db.dispose()
    before = usernames(filled)

    class CancelWhenRestoring(CancelToken):
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            if text.startswith("Restoring"):
                self.cancel()

    with pytest.raises(CancelledError):
        restore_backup(backup, filled, progress=CancelWhenRestoring())
    assert usernames(filled) == before
    assert integrity(filled) == "ok"


def test_restore_refused_while_a_synchronization_runs(filled: Path, tmp_path: Path) -> None:
    from datetime import timedelta

    backup = create_backup(filled, tmp_path / "b.mfabackup").path
    db = open_database(filled)
    lease = Lease(db, "sync", timedelta(minutes=5)).acquire()
    try:
        with pytest.raises(LeaseHeldError, match="synchronization"):
            restore_backup(backup, filled)
    finally:
        lease.release()
        db.dispose()


def test_a_backup_never_overwrites_the_data_file(filled: Path) -> None:
    from mfa_console.core.backup import BackupError

    before = filled.read_bytes()
    for target in (filled, filled.with_name("console.db-wal")):
        with pytest.raises(BackupError, match="data file itself"):
            create_backup(filled, target)
    assert filled.read_bytes() == before and integrity(filled) == "ok"
