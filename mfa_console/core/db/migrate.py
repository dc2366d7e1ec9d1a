"""Alembic, driven from code: revisions ship inside the package and run when a file is opened."""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import Any

from sqlalchemy import Connection, inspect, text

from mfa_console.core.errors import DataFileError, SchemaTooNewError

SCRIPT_LOCATION = "mfa_console.core.db:migrations"


def _config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


@cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


@cache
def head_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def current_revisions(conn: Connection) -> set[str]:
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _refuse_unknown(revisions: set[str], has_tables: bool, name: str) -> None:
    if not revisions:
        if has_tables:
            raise DataFileError(
                f"{name} is an SQLite database but not an MFA Console data file. It was left "
                "untouched.",
                hint="Open the right file with --data, or choose a new file name.",
            )
        return
    unknown = revisions - known_revisions()
    if unknown:
        raise SchemaTooNewError(
            f"The data file {name} was written by a newer version of MFA Console (schema "
            f"{', '.join(sorted(unknown))}). It was left untouched.",
            hint="Install the newer MFA Console, or restore a backup made by this version.",
        )


def check_not_newer(conn: Connection, name: str) -> None:
    tables = set(inspect(conn).get_table_names())
    _refuse_unknown(current_revisions(conn), bool(tables - {"alembic_version"}), name)


def check_not_newer_raw(conn: sqlite3.Connection, name: str) -> None:
    """The same check over a read-only sqlite3 connection, before anything may write the file."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revisions: set[str] = set()
    if "alembic_version" in tables:
        revisions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    _refuse_unknown(revisions, bool(tables - {"alembic_version"}), name)


def upgrade(conn: Connection) -> None:
    """Bring the file to the newest schema; a no-op (without loading Alembic) when it is there."""
    if current_revisions(conn) == set(head_revisions()):
        return
    from alembic import command

    command.upgrade(_config(conn), "heads")
