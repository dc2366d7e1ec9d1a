"""Restore: newer backups refused, older ones migrated, another machine, secrets named only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mfa_console.app import open_services
from mfa_console.core.backup import (
    BackupTooNewError,
    create_backup,
    restore_backup,
    verify_backup,
)
from mfa_console.core.db import migrate
from mfa_console.core.db.migrate import head_revisions
from tests.backup.bulk import add_users, usernames


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_newer_schema_backup_is_refused_and_changes_nothing(filled: Path, tmp_path: Path) -> None:
    future = tmp_path / "future.db"
    add_users(future, 10, prefix="future")
    _set_revision(future, "0099_from_the_future")
    backup = create_backup(future, tmp_path / "future.mfabackup").path
    assert not verify_backup(backup).restorable
    before = (usernames(filled), filled.read_bytes())
    with pytest.raises(BackupTooNewError, match="newer MFA Console"):
        restore_backup(backup, filled)
    assert (usernames(filled), filled.read_bytes()) == before
    assert not (filled.parent / "backups").exists()


def test_older_schema_backup_is_migrated(filled: Path, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        command.upgrade(migrate._config(connection), "0001_spine")
    engine.dispose()
    backup = create_backup(old, tmp_path / "old.mfabackup").path
    result = restore_backup(backup, filled)
    assert result.schema_before == ("0001_spine",)
    assert result.schema_after == ",".join(sorted(head_revisions()))
    assert result.migrated
    assert usernames(filled) == set()


def test_restore_on_another_machine_into_a_fresh_data_file(filled: Path, tmp_path: Path) -> None:
    """Secrets travel sealed in the backup; the new machine needs the exported data key."""
    from mfa_console.core.keyfile import export_key, import_key
    from mfa_console.core.keys import KEY_ENTRY, data_key, forget_cached_keys, install_key
    from mfa_console.core.secrets import SecretStore

    services = open_services(filled)
    services.secrets.set("email.smtp-password", "needle-3f9a")
    key = data_key(services.db)
    export_key(key, tmp_path / "key.json", "correct horse battery")
    try:
        result = services.backup.create(tmp_path / "to-move.mfabackup")
    finally:
        services.close()
    assert result.manifest.data_key == key.fingerprint
    assert result.manifest.secrets == ()
    assert b"needle-3f9a" not in result.path.read_bytes()
    # The new machine's keyring has no data key for this data file.
    SecretStore(result.manifest.install_id).delete(KEY_ENTRY)
    forget_cached_keys()
    # The original's procedure: reinstall (a fresh default data file), restore, start again.
    fresh = tmp_path / "new-machine" / "mfa-console.db"
    new = open_services(fresh)
    try:
        report = new.backup.restore(result.path)
    finally:
        new.close()
    assert report.result.safety_backup is not None
    assert key.fingerprint in report.key_needed
    assert "mfa-console key import FILE" in report.key_needed_command
    assert "mfa-console" not in report.key_needed  # the window's words
    assert "docs/keys-and-tokens.md" in report.key_needed
    assert usernames(fresh) == usernames(filled)
    reopened = open_services(fresh)
    try:
        assert reopened.users.count()[0] == 3000
        assert reopened.db.install_id() == result.manifest.install_id
        install_key(reopened.db, import_key(tmp_path / "key.json", "correct horse battery"))
        assert reopened.secrets.get("email.smtp-password") == "needle-3f9a"
    finally:
        reopened.close()


def test_restore_into_a_missing_or_damaged_data_file(filled: Path, tmp_path: Path) -> None:
    backup = create_backup(filled, tmp_path / "b.mfabackup").path
    missing = tmp_path / "elsewhere" / "data.db"
    restore_backup(backup, missing)
    assert usernames(missing) == usernames(filled)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8192)
    (tmp_path / "damaged.db-wal").write_bytes(b"stale")
    result = restore_backup(backup, damaged)
    assert usernames(damaged) == usernames(filled)
    assert result.kept_unreadable is not None
    assert result.kept_unreadable.read_bytes().startswith(b"SQLite format 3\x00\xff")
    assert (
        not (tmp_path / "damaged.db-wal").exists()
        or (tmp_path / "damaged.db-wal").read_bytes() != b"stale"
    )


def test_staged_copies_of_a_killed_restore_are_cleaned_up(filled: Path, tmp_path: Path) -> None:
    import os
    import time

    backup = create_backup(filled, tmp_path / "b.mfabackup").path
    leftover = filled.parent / f".{filled.name}.restore-deadbeef.tmp"
    recent = filled.parent / f".{filled.name}.restore-0badf00d.tmp"
    leftover.write_bytes(b"x" * 100)
    recent.write_bytes(b"y")
    old = time.time() - 7 * 3600
    os.utime(leftover, (old, old))
    restore_backup(backup, filled)
    assert not leftover.exists()
    assert recent.exists()  # it might belong to a restore still running elsewhere
