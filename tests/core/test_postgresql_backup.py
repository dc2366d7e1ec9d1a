"""Backups on PostgreSQL are PostgreSQL's own (docs/postgresql.md): the documented procedure run
for real. A dump verified, a damaged one refused, a restore all or nothing, then opened."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from mfa_console.app import open_services
from mfa_console.core.backup.errors import BackupError
from mfa_console.core.db.models import UserRow
from mfa_console.core.users.records import UserInput
from tests.services.postgres import PostgresServer, pg_bin
from tests.users_gui.data import insert_users

pytestmark = pytest.mark.postgresql


def _tool(server: PostgresServer, program: str, *args: str) -> subprocess.CompletedProcess[str]:
    connection = ["-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
    return subprocess.run(
        [pg_bin(program), *connection, *args], capture_output=True, text=True, timeout=120
    )


def _rows(url: str) -> tuple[str, list[tuple[object, ...]]]:
    services = open_services(url)
    try:
        with services.db.read() as session:
            rows = [tuple(r) for r in session.execute(select(UserRow.__table__).order_by("id"))]
        return services.db.install_id(), rows
    finally:
        services.close()


def test_dump_verify_and_restore_all_or_nothing(postgres: PostgresServer, tmp_path: Path) -> None:
    source = postgres.new_database()
    services = open_services(postgres.url(source))
    insert_users(services, 500, seed=5)
    services.users.add(UserInput("pin@example.com", phone="425-555-0100", mode="pin", pin="48271"))
    with pytest.raises(BackupError, match="pg_dump"):  # the console's own format is SQLite's
        services.backup.create(tmp_path / "no.mfabackup")
    services.close()
    dump = tmp_path / "mfa.dump"
    made = _tool(postgres, "pg_dump", "--format=custom", f"--file={dump}", source)
    assert made.returncode == 0, made.stderr
    assert _tool(postgres, "pg_restore", "--list", str(dump)).returncode == 0

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
    target = postgres.new_database(empty=True)
    restore = ["--single-transaction", "--exit-on-error", "--no-owner", "-d", target]
    try:
        refused = _tool(postgres, "pg_restore", *restore, str(damaged))
        assert refused.returncode != 0
        tables = postgres.admin(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", target
        )
        assert tables == [(0,)]  # one transaction: nothing of the damaged dump stayed

        restored = _tool(postgres, "pg_restore", *restore, str(dump))
        assert restored.returncode == 0, restored.stderr
        assert _rows(postgres.url(target)) == _rows(postgres.url(source))  # install id too
    finally:
        postgres.drop(target)
        postgres.drop(source)
