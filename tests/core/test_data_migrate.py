"""``data migrate``: an SQLite data file copied into an empty PostgreSQL database, checked."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from mfa_console.app import open_services
from mfa_console.core.db.engine import connect_postgres
from mfa_console.core.db.lease import Lease
from mfa_console.core.db.models import UserRow
from mfa_console.core.db.transfer import copy_to_postgres
from mfa_console.core.errors import DataFileError
from mfa_console.core.users.query import UserQuery
from mfa_console.core.users.records import UserInput
from tests.services.postgres import PostgresServer
from tests.users_gui.data import insert_users

pytestmark = pytest.mark.postgresql

N = 3000


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A data file with N varied users, one edited user with a PIN, audit rows and a live lease."""
    path = tmp_path / "source.db"
    services = open_services(path)
    insert_users(services, N, seed=7)
    fields = {"last_name": "Ñandú", "phone": "425-555-0100", "mode": "pin"}
    user = services.users.add(UserInput("pin.user@example.com", "Pia", pin="48271", **fields))
    services.users.update(user.id, user.version, UserInput("pin.user@example.com", "Pía", **fields))
    Lease(services.db, "sync", timedelta(minutes=5)).acquire()
    services.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all(url_or_path: str | Path) -> list[tuple[object, ...]]:
    services = open_services(url_or_path)
    try:
        with services.db.read() as session:
            return [tuple(r) for r in session.execute(select(UserRow.__table__).order_by("id"))]
    finally:
        services.close()


def test_copy_keeps_every_field_the_install_id_and_the_file(
    filled: Path, postgres: PostgresServer
) -> None:
    name = postgres.new_database(empty=True)
    before = _digest(filled)
    source = open_services(filled)
    target = connect_postgres(postgres.url(name))
    steps: list[str] = []

    class Seen:
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            steps.append(text)

        def cancelled(self) -> bool:
            return False

    try:
        report = copy_to_postgres(source.db, target, Seen())
        install_id = source.db.install_id()
    finally:
        source.close()
        target.dispose()
    assert report.rows["users"] == N + 1 == report.users_compared
    assert "leases" not in report.rows and "Comparing with the file" in steps
    assert _digest(filled) == before  # only read
    assert _all(postgres.url(name)) == _all(filled)  # every field of every user
    moved = open_services(postgres.url(name))
    try:
        assert moved.db.install_id() == install_id
        with moved.db.read() as session:
            assert session.execute(text("SELECT count(*) FROM leases")).scalar_one() == 0
            audits = session.execute(text("SELECT count(*) FROM audit")).scalar_one()
        assert audits == 2
        assert UserQuery(moved.db, "ñandú").count() == 1  # the trigram index was rebuilt
        new = moved.users.add(UserInput("after.move@example.com", enabled=False))
        assert new.id == N + 2  # the sequence continues after the copied ids
    finally:
        moved.close()
        postgres.drop(name)


def test_a_database_that_is_not_empty_is_refused(filled: Path, pg_url: str) -> None:
    source = open_services(filled)
    target = connect_postgres(pg_url)
    try:
        with pytest.raises(DataFileError, match="is not empty"):
            copy_to_postgres(source.db, target)
    finally:
        source.close()
        target.dispose()


def test_command_line_copies_and_shows_progress(filled: Path, postgres: PostgresServer) -> None:
    name = postgres.new_database(empty=True)
    url = postgres.url(name)
    command = [sys.executable, "-m", "mfa_console", "--data", str(filled)]
    try:
        done = subprocess.run(
            [*command, "data", "migrate", "--to", url], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert "Copying users" in done.stderr and f"every field of {N + 1} users" in done.stdout
        again = subprocess.run(
            [*command, "data", "migrate", "--to", url], capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 1 and "is not empty" in again.stderr
    finally:
        postgres.drop(name)
