"""Move the data from an SQLite file into an empty PostgreSQL database, and prove the copy.

The schema comes from the Alembic migrations (the same revisions as every other database), then
the rows, table by table in foreign-key order through PostgreSQL's COPY. Left behind: the SQLite
full-text table (PostgreSQL's own search table is filled from the copied users) and the leases (a
claim belongs to a process on the old file). The install id is kept, so the passwords in the OS
keyring stay found. Sequences continue after the highest id copied. Before anything is
committed, the row count of every table and every field of every user are compared with the
file; one difference and nothing is committed. It all runs in one PostgreSQL transaction: a
failure, a cancel or a lost server leaves the target as empty as it was. The file is only read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    LargeBinary,
    MetaData,
    Table,
    func,
    inspect,
    select,
    text,
)

from mfa_console.core.db import migrate, postgres
from mfa_console.core.db.engine import Database, translate_errors
from mfa_console.core.errors import DataFileError
from mfa_console.core.progress import NullProgress, Progress, check_cancel
from mfa_console.core.users.query import SEARCH_TEXT_SQL

SKIPPED = frozenset({"alembic_version", "leases", "users_search"})
BATCH = 5000
# Copying and checking 200,000 users takes longer than the statement timeout of daily work.
LONG_STATEMENT_S = 900


@dataclass
class TransferReport:
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    users_compared: int = 0
    seconds: float = 0.0


def copy_to_postgres(
    source: Database, target: Database, progress: Progress | None = None
) -> TransferReport:
    """Copy ``source`` (SQLite, at the newest schema) into the empty PostgreSQL ``target``."""
    progress = progress or NullProgress()
    started = time.monotonic()
    _check_source(source)
    report = TransferReport(target.display_name)
    with (
        translate_errors(target),
        target.engine.connect() as conn,
        _long_statements(conn),
    ):
        _refuse_not_empty(conn, target.display_name)
        migrate.upgrade(conn)
        tables = _target_tables(conn)
        indexes = _drop_plain_indexes(conn)  # built once at the end: several times faster
        conn.execute(text("DELETE FROM meta"))  # the new database's install id: keep the old
        conn.execute(text("ALTER TABLE users DISABLE TRIGGER users_search_insert"))
        with source.engine.connect() as src:
            total = sum(_count(src, t.name) for t in tables)
            for table in tables:
                report.rows[table.name] = _copy_table(src, conn, table, progress, total, report)
            conn.execute(text("ALTER TABLE users ENABLE TRIGGER users_search_insert"))
            conn.execute(text(f"INSERT INTO users_search SELECT id, {SEARCH_TEXT_SQL} FROM users"))
            _restart_sequences(conn, tables)
            progress.report(sum(report.rows.values()), total, "Building the indexes")
            for definition in indexes:
                conn.execute(text(definition))
            progress.report(sum(report.rows.values()), total, "Comparing with the file")
            _compare(src, conn, tables, report, progress)
        conn.commit()
    report.seconds = time.monotonic() - started
    return report


def _check_source(source: Database) -> None:
    with source.engine.connect() as conn:
        if migrate.current_revisions(conn) != set(migrate.head_revisions()):
            raise DataFileError(
                f"{source.display_name} is not at this version's schema.",
                hint="Open it once with this MFA Console (it is upgraded), then move it.",
            )


class _LongStatements:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute(text(f"SET LOCAL statement_timeout = '{LONG_STATEMENT_S}s'"))
        self.conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # index builds
        postgres.set_watchdog_deadline(self._raw(), LONG_STATEMENT_S + postgres.GRACE_S)

    def __exit__(self, *_exc: object) -> None:
        postgres.set_watchdog_deadline(self._raw(), None)

    def _raw(self) -> Any:
        return self.conn.connection.dbapi_connection


def _long_statements(conn: Connection) -> _LongStatements:
    return _LongStatements(conn)


def _refuse_not_empty(conn: Connection, name: str) -> None:
    tables = inspect(conn).get_table_names()
    if tables:
        raise DataFileError(
            f"The database {name} is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}); "
            "nothing was copied.",
            hint="Move the data into a new, empty database (docs/postgresql.md shows how to "
            "create one).",
        )


def _target_tables(conn: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(conn)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


def _count(conn: Connection, table: str) -> int:
    return int(conn.execute(select(func.count()).select_from(text(f'"{table}"'))).scalar_one())


def _raw_rows(src: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """The file's rows as SQLite stores them (COPY parses its 0/1 and date texts itself)."""
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    order = ", ".join(f'"{c.name}"' for c in (table.primary_key.columns or table.columns))
    cursor = src.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}')
    while part := cursor.fetchmany(BATCH):
        yield from part


def _typed_rows(src: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """The file's rows with the Python values PostgreSQL gives back (bool, datetime, bytes)."""
    converters = [_converter(column.type) for column in table.columns]
    for row in _raw_rows(src, table):
        yield tuple(c(v) if c and v is not None else v for c, v in zip(converters, row))  # noqa: B905


def _converter(kind: Any) -> Any:
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, DateTime):
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(kind, LargeBinary):
        return bytes
    return None


def _pg_rows(conn: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    order = ", ".join(f'"{c.name}"' for c in (table.primary_key.columns or table.columns))
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor(name=f"compare_{table.name}") as cursor:
        cursor.itersize = BATCH
        cursor.execute(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}')
        yield from cursor


def _copy_table(
    src: Connection,
    conn: Connection,
    table: Table,
    progress: Progress,
    total: int,
    report: TransferReport,
) -> int:
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    done_before = sum(report.rows.values())
    copied = 0
    progress.report(done_before, total, f"Copying {table.name}")
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in _raw_rows(src, table):
            copy.write_row(row)
            copied += 1
            if copied % BATCH == 0:
                check_cancel(progress)
                progress.report(done_before + copied, total, f"Copying {table.name}")
    return copied


def _restart_sequences(conn: Connection, tables: list[Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar_one()
            if sequence:
                conn.execute(
                    text(
                        f'SELECT setval(:seq, COALESCE(MAX("{column.name}"), 0) + 1, false) '
                        f'FROM "{table.name}"'
                    ),
                    {"seq": sequence},
                )


def _drop_plain_indexes(conn: Connection) -> list[str]:
    """Drop the indexes that back no constraint; returns the statements that make them again."""
    found = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
            "current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = "
            "i.indexname)"
        )
    ).all()
    for name, _definition in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _name, definition in found]


def _compare(
    src: Connection,
    conn: Connection,
    tables: list[Table],
    report: TransferReport,
    progress: Progress,
) -> None:
    for table in tables:
        copied = _count(conn, table.name)
        if copied != _count(src, table.name) or copied != report.rows[table.name]:
            raise DataFileError(
                f"The copy of {table.name} has {copied} rows, the file "
                f"{_count(src, table.name)}; nothing was committed.",
                hint="Report this as a bug, with the console's log.",
            )
    users = next(t for t in tables if t.name == "users")
    pairs = zip(_typed_rows(src, users), _pg_rows(conn, users), strict=True)
    for number, (left, right) in enumerate(pairs):
        if left != right:
            field_name = next(
                c.name for c, a, b in zip(users.columns, left, right, strict=True) if a != b
            )
            raise DataFileError(
                f"The copied user {left[1]!r} differs in {field_name}; nothing was committed.",
                hint="Report this as a bug, with the console's log.",
            )
        if number % BATCH == 0:
            check_cancel(progress)
    report.users_compared = report.rows["users"]
