"""The cheap reading of the shipped revisions agrees with Alembic's, and a newer file is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mfa_console.core.db import migrate, open_database
from mfa_console.core.errors import SchemaTooNewError


def test_cheap_revision_graph_matches_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config())
    assert migrate.revision_graph() == migrate._alembic_graph()
    assert migrate.head_revisions() == frozenset(script.get_heads())
    assert "0003_users_search" in migrate.known_revisions()


def test_up_to_date_file_opens_and_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    open_database(path).dispose()
    db = open_database(path)
    assert db.schema_revision() in migrate.head_revisions()
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        open_database(path)
    assert path.read_bytes() == before


def test_file_at_previous_revision_is_upgraded_with_search_index(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    db = open_database(path, upgrade=False)
    with db.engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0002_leases")
        conn.commit()
    db.dispose()
    db = open_database(path)
    with db.engine.connect() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    db.dispose()
    assert {"users_fts", "ix_users_sort_phone", "users_fts_au"} <= names
