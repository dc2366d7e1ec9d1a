"""Alembic, driven from code: revisions ship inside the package and run when a file is opened."""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from importlib import resources
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


_REVISION = re.compile(r"^revision\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


@cache
def revision_graph() -> dict[str, frozenset[str]]:
    """Each shipped revision and its down revisions, read from the files without Alembic.

    Opening an up-to-date data file then costs no Alembic import; a test checks that this agrees
    with Alembic's own reading of the scripts.
    """
    graph: dict[str, frozenset[str]] = {}
    versions = resources.files("mfa_console.core.db.migrations") / "versions"
    for entry in versions.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        source = entry.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            continue
        parents = frozenset(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
        graph[revision.group(1)] = parents
    return graph or _alembic_graph()


def _alembic_graph() -> dict[str, frozenset[str]]:
    """Alembic's reading, for a packaging that ships the revisions without their sources."""
    from alembic.script import ScriptDirectory

    graph: dict[str, frozenset[str]] = {}
    for rev in ScriptDirectory.from_config(_config()).walk_revisions():
        down = rev.down_revision
        parents = (down,) if isinstance(down, str) else tuple(down or ())
        graph[rev.revision] = frozenset(parents)
    return graph


def known_revisions() -> frozenset[str]:
    return frozenset(revision_graph())


def head_revisions() -> frozenset[str]:
    graph = revision_graph()
    parents = {parent for downs in graph.values() for parent in downs}
    return frozenset(graph) - parents


def current_revisions(conn: Connection) -> set[str]:
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _refuse_unknown(
    revisions: set[str], has_tables: bool, name: str, kind: str = "an SQLite"
) -> None:
    if not revisions:
        if has_tables:
            raise DataFileError(
                f"{name} is {kind} database but not an MFA Console data file. It was left "
                "untouched.",
                hint="Open the right data file, or choose a new file name for a new one.",
                command_hint="Open the right file with --data, or choose a new file name.",
            )
        return
    unknown = revisions - known_revisions()
    if unknown:
        hint = "Install the newer MFA Console, or restore a backup made by this version."
        raise SchemaTooNewError(
            f"The data file {name} was written by a newer version of MFA Console. It was left "
            "untouched.",
            hint=hint,
            command_hint=f"{hint} (Its schema: {', '.join(sorted(unknown))}.)",
        )


def check_not_newer(conn: Connection, name: str) -> None:
    tables = set(inspect(conn).get_table_names())
    kind = "a PostgreSQL" if conn.dialect.name == "postgresql" else "an SQLite"
    _refuse_unknown(current_revisions(conn), bool(tables - {"alembic_version"}), name, kind)


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
    if conn.dialect.name == "postgresql":
        # Two consoles opening a new database at once: the second waits, then finds it done.
        from mfa_console.core.db.postgres import MIGRATE_LOCK_KEY

        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
        if current_revisions(conn) == set(head_revisions()):
            return
    from alembic import command

    command.upgrade(_config(conn), "heads")
