"""Core statements run on a DBAPI connection of their own: the hot path of a long-running server.

SQLAlchemy's work around one execution (events, result set-up, the pool) costs about 200 µs a
statement here, against about 15 µs for the statement itself on SQLite; a RADIUS request runs
three. ``RawStatements`` compiles each Core statement once for the engine's dialect and runs it on
one dedicated DBAPI connection (a lock around it: one statement at a time), taken from the
engine's pool, so the connection has the data file's pragmas or PostgreSQL's timeouts and
watchdog. A failure closes the connection (the next call opens another) and is raised as
SQLAlchemy's ``DBAPIError``, so ``translate_errors`` words it as for any other statement.

Values are passed and returned as the driver knows them: this is for statements whose parameters
are strings and numbers; a caller converts a returned date (SQLite returns its text) itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from mfa_console.core.db import postgres


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # positional parameters' names; None: named parameters


class RawStatements:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self._conn: Any = None
        self._lock = threading.Lock()
        # By the statement's id; the statement is kept too, so that its id is never reused.
        self._compiled: dict[int, tuple[ClauseElement, _Compiled]] = {}
        self._postgres = engine.dialect.name == "postgresql"

    def rows(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        """The rows of a SELECT (outside any transaction of ours)."""
        with self._cursor() as cursor:
            self._execute(cursor, statement, params)
            found = list(cursor.fetchall())
            if self._postgres:
                cursor.connection.rollback()  # end the read's snapshot
            return found

    def write(self, statement: ClauseElement, params: Mapping[str, Any]) -> int:
        """Run one data-changing statement in its own write transaction; its row count.

        The transaction takes the write lock first, as ``Database.write()`` does (BEGIN
        IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL)."""
        with self._cursor() as cursor:
            if self._postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (postgres.WRITE_LOCK_KEY,))
            else:
                cursor.execute("BEGIN IMMEDIATE")
            try:
                self._execute(cursor, statement, params)
                count = int(cursor.rowcount)
            except BaseException:
                cursor.connection.rollback()
                raise
            cursor.connection.commit()
            return count

    def close(self) -> None:
        """Give the connection back to the pool."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        dbapi = self._dialect.loaded_dbapi
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._engine.raw_connection()
                cursor = self._conn.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
            except dbapi.Error as exc:
                self._drop()
                raise DBAPIError.instance(None, None, exc, dbapi.Error) from exc

    def _execute(self, cursor: Any, statement: ClauseElement, params: Mapping[str, Any]) -> None:
        compiled = self._compile(statement)
        if compiled.order is None:
            cursor.execute(compiled.sql, params)
        else:
            cursor.execute(compiled.sql, [params[name] for name in compiled.order])

    def _compile(self, statement: ClauseElement) -> _Compiled:
        found = self._compiled.get(id(statement))
        if found is None:
            compiled = cast(SQLCompiler, statement.compile(dialect=self._dialect))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._compiled[id(statement)] = (statement, _Compiled(str(compiled), order))
        return found[1]

    def _drop(self) -> None:
        """Forget a connection that failed: it never goes back to the pool."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.invalidate()
            self._conn = None
