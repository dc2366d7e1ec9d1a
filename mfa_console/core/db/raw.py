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
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from mfa_console.core.db import postgres
from mfa_console.core.db.engine import BUSY_TIMEOUT_MS


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # positional parameters' names; None: named parameters


class RawStatements:
    def __init__(self, engine: Engine, *, poll_lock: bool = False) -> None:
        """``poll_lock``: on SQLite, ask for the write lock every millisecond instead of
        SQLite's own wait (which backs off to 100 ms sleeps): for a server's hot writer. The
        connection then has its own busy timeout and never goes back to the pool."""
        self._engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._poll_lock = poll_lock and not self.postgres
        self._dialect = engine.dialect
        self._conn: Any = None
        self._lock = threading.Lock()
        # By the statement's id; the statement is kept too, so that its id is never reused.
        self._compiled: dict[int, tuple[ClauseElement, _Compiled]] = {}

    def prepare(self, *statements: ClauseElement) -> None:
        """Open the connection and compile ``statements`` now, before the first request."""
        with self._cursor():
            for statement in statements:
                self._compile(statement)

    def rows(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        """The rows of a SELECT (outside any transaction of ours)."""
        with self._cursor() as cursor:
            self._execute(cursor, statement, params)
            found = list(cursor.fetchall())
            if self.postgres:
                cursor.connection.rollback()  # end the read's snapshot
            return found

    def write(self, statement: ClauseElement, params: Sequence[Mapping[str, Any]]) -> list[int]:
        """Run a data-changing statement once per ``params``, all in one write transaction;
        the row count of each.

        The transaction takes the write lock first, as ``Database.write()`` does (BEGIN
        IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL)."""
        with self._cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (postgres.WRITE_LOCK_KEY,))
            elif self._poll_lock:
                _begin_immediate(cursor)
            else:
                cursor.execute("BEGIN IMMEDIATE")
            try:
                counts = []
                for one in params:
                    self._execute(cursor, statement, one)
                    counts.append(int(cursor.rowcount))
            except BaseException:
                cursor.connection.rollback()
                raise
            cursor.connection.commit()
            return counts

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
                    self._conn = self._open()
                cursor = self._conn.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
            except dbapi.Error as exc:
                self._drop()
                raise DBAPIError.instance(None, None, exc, dbapi.Error) from exc

    def _open(self) -> Any:
        conn = self._engine.raw_connection()
        if self._poll_lock:
            conn.detach()  # its busy timeout is changed: it never goes back to the pool
            conn.cursor().execute("PRAGMA busy_timeout=0")  # _begin_immediate waits instead
        return conn

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


def _begin_immediate(cursor: Any) -> None:
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000  # as the engine's own connections
    while True:
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.001)


class GroupedWrites:
    """One statement's executions from many threads, written together (group commit).

    ``run(params)`` blocks until its execution is committed and returns its row count. One
    thread writes whatever has queued meanwhile in a single transaction: while it waits for the
    write lock (a synchronization's batch holding it, say) the requests behind it queue and then
    go in together, instead of each waiting for the lock in turn. On SQLite, under a steady load,
    it leaves ``GAP`` seconds between its transactions: other writers wait with SQLite's own
    backoff (sleeps of up to 100 ms) and would otherwise seldom find the lock free.
    ``close()`` ends the thread.
    """

    GAP = 0.002

    def __init__(self, statements: RawStatements, statement: ClauseElement) -> None:
        self._statements = statements
        self._statement = statement
        self._queue: queue.Queue[tuple[Mapping[str, Any], Future[int]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="grouped-writes", daemon=True)
        self._thread.start()

    def run(self, params: Mapping[str, Any]) -> int:
        future: Future[int] = Future()
        self._queue.put((params, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._statements.close()

    def _write(self) -> None:
        while True:
            batch = [self._queue.get()]
            while batch[-1] is not None:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            waiting = [item for item in batch if item is not None]
            if waiting:
                self._commit(waiting)
            if batch[-1] is None:
                return
            if not self._statements.postgres and not self._queue.empty():
                time.sleep(self.GAP)  # under a steady load only

    def _commit(self, waiting: list[tuple[Mapping[str, Any], Future[int]]]) -> None:
        try:
            counts = self._statements.write(self._statement, [params for params, _ in waiting])
        except BaseException as exc:  # every waiting request gets the failure
            for _, future in waiting:
                future.set_exception(exc)
            return
        for (_, future), count in zip(waiting, counts, strict=True):
            future.set_result(count)
