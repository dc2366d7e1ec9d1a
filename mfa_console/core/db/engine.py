"""Open the data file: find it, refuse what we must not touch, migrate, hand out sessions.

Opening is careful: a file that is not SQLite, is corrupt, or was written by a newer program is
refused *before* anything is written to it (even the WAL switch writes to the header). A lock held
too long by another process is reported rather than waited on forever.

The data may also live in PostgreSQL (``postgresql://HOST[:PORT]/DB?...``, see ``postgres.py``):
the same models and migrations, writers taking turns through an advisory lock, the server's clock.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mfa_console.core import fileperms, paths
from mfa_console.core.db import migrate, postgres
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import Meta
from mfa_console.core.errors import ConsoleError, DataFileError, DataFileLockedError

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"

_LOCKED_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_UNREADABLE_CODES = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY}


# What a person can do in the window about a data file that cannot be opened: the console offers
# both when it starts (see ui/launch.py), and File > Open Data File... once it runs.
DAMAGED_HINT = "Restore it from a backup, or open another data file."
WRONG_FILE_HINT = "Open the right data file, or restore a backup."


def resolve_url(data: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL for ``--data`` (path or URL), ``MFA_CONSOLE_DATA``, or the default."""
    text = os.fspath(data) if data else os.environ.get(paths.DATA_ENV) or ""
    if not text:
        text = os.fspath(paths.default_data_file())
    if text.startswith(("postgresql:", "postgres:", "postgresql+")):
        return postgres.normalize_url(text)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


@dataclass
class Database:
    """An open, migrated data file. ``read()`` and ``write()`` give one session per unit of work."""

    url: str
    engine: Engine
    timeouts: postgres.Timeouts | None = None  # PostgreSQL only
    # What could not be made private when the file was opened (Status shows it).
    permission_problems: list[str] = field(default_factory=list)
    # PostgreSQL: the password given when it was opened (None: the keyring's or .pgpass). The
    # service hands it to its RADIUS server's process through a pipe; never shown (no repr).
    password: str | None = field(default=None, repr=False)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def display_name(self) -> str:
        path = self.path
        if path:
            return str(path)
        if self.is_postgres:
            return postgres.display_name(self.url)
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with translate_errors(self), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction takes the write lock up front and commits at the end.

        On SQLite that is BEGIN IMMEDIATE; on PostgreSQL a transaction-level advisory lock that
        every writer takes first (waited for at most the lock timeout). Either way a service's
        read-check-write runs alone among writers, while readers carry on.
        """
        with (
            translate_errors(self),
            self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            Session(bind=conn, expire_on_commit=False) as session,
        ):
            if self.is_postgres:
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": postgres.WRITE_LOCK_KEY}
                )
            yield session
            session.commit()

    def now(self, session: Session) -> datetime:
        """The database's clock in UTC (naive): on PostgreSQL the server's, shared by consoles."""
        if not self.is_postgres:
            return utcnow()
        value = session.execute(text("SELECT timezone('UTC', clock_timestamp())")).scalar_one()
        return value

    def install_id(self) -> str:
        with self.read() as session:
            return session.execute(select(Meta.value).where(Meta.key == "install_id")).scalar_one()

    def schema_revision(self) -> str:
        with self.engine.connect() as conn:
            return ",".join(sorted(migrate.current_revisions(conn)))

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def translate_errors(db: Database | str) -> Iterator[None]:
    """Turn SQLite's locked / corrupt / unreadable failures into errors a person can act on."""
    timeouts = db.timeouts if isinstance(db, Database) else None
    translated: ConsoleError | None
    try:
        yield
    except DBAPIError as exc:
        name = _name_of(db)
        if timeouts is not None:
            translated = postgres.translated(exc.orig, name, timeouts)
        else:
            translated = _translated(exc.orig, name)
        if translated is None:
            raise
        raise translated from exc
    except sqlite3.DatabaseError as exc:
        translated = _translated(exc, _name_of(db))
        if translated is None:
            raise
        raise translated from exc


def _name_of(db: Database | str) -> str:
    """The data file's name for a message (worked out only when there is an error to report)."""
    return db.display_name if isinstance(db, Database) else db


def _translated(orig: BaseException | None, name: str) -> ConsoleError | None:
    """The error a person can act on for a SQLite failure, or None to let it through (a bug)."""
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None:
        return None
    base = code & 0xFF
    if base == sqlite3.SQLITE_FULL or (base == sqlite3.SQLITE_IOERR and _disk_full_at(name)):
        from mfa_console.core.diskfull import disk_full

        return disk_full(name, "the change was not saved")
    if base in _LOCKED_CODES:
        return DataFileLockedError(
            f"The data file {name} is locked by another program (waited "
            f"{BUSY_TIMEOUT_MS // 1000} s).",
            hint="Close the other console or wait for its operation to finish, then try again.",
        )
    if base in _CORRUPT_CODES:
        return DataFileError(
            f"The data file {name} is damaged or is not an MFA Console data file. It was left "
            "untouched.",
            hint=DAMAGED_HINT,
            command_hint="Restore a backup with: mfa-console backup restore BACKUP_FILE (or open "
            "another file with --data).",
        )
    if base in _UNREADABLE_CODES:
        return DataFileError(
            f"The data file {name} cannot be opened for reading and writing.",
            hint="Check that the file and its folder exist and that you may read and write them.",
        )
    return None


def _disk_full_at(name: str) -> bool:
    from mfa_console.core.diskfull import nearly_full

    return "://" not in name and nearly_full(name)


def open_database(
    data: str | os.PathLike[str] | None = None,
    *,
    upgrade: bool = True,
    password: str | None = None,
) -> Database:
    """Open (creating if new) the data file, refuse what must not be touched, apply migrations.

    ``password`` is for a PostgreSQL server (else the keyring's, else .pgpass); once it worked it
    is kept in the keyring.
    """
    url = resolve_url(data)
    if postgres.is_postgres(url):
        return _open_postgres(url, upgrade, password)
    path = sqlite_path(url)
    problems: list[str] = []
    created = False
    if path is not None:
        created = _check_sqlite_file(path)
        problems = _tighten(path)
    engine = _create_engine(url)
    db = Database(url, engine, permission_problems=problems)
    try:
        return _migrated(db, upgrade)
    except BaseException:
        if created and path is not None:  # never leave a half-made new file (e.g. disk full)
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise


def _open_postgres(url: str, upgrade: bool, password: str | None) -> Database:
    db = connect_postgres(url, password)
    _migrated(db, upgrade)
    _remember(url, password)
    return db


def connect_postgres(data: str, password: str | None = None) -> Database:
    """A PostgreSQL database, connected but neither checked nor migrated (``data migrate``)."""
    from mfa_console.core.db import pgpass

    url = resolve_url(data)
    if not postgres.is_postgres(url):
        raise DataFileError(
            f"{data} is not a PostgreSQL URL.",
            hint="Write postgresql://HOST[:PORT]/DATABASE?user=ROLE (docs/postgresql.md).",
        )
    if password is None:
        password = pgpass.stored_password(url)
    engine, timeouts = postgres.create_pg_engine(url, password)
    return Database(url, engine, timeouts=timeouts, password=password)


def _remember(url: str, given: str | None) -> None:
    """Keep a password the person gave, once it worked."""
    if given is not None:
        from mfa_console.core.db import pgpass

        pgpass.remember_password(url, given)


def _migrated(db: Database, upgrade: bool) -> Database:
    engine = db.engine
    try:
        with translate_errors(db), engine.connect() as conn:
            migrate.check_not_newer(conn, db.display_name)
            if upgrade:
                migrate.upgrade(conn)
                conn.commit()
    except BaseException:
        engine.dispose()
        raise
    return db


def _check_sqlite_file(path: Path) -> bool:
    """Refuse a file that is not SQLite or is too new, reading it only (nothing is written).

    Only a path that does not exist is created (private: see ``fileperms``); an existing empty
    file is refused like any damaged one (it may be a data file truncated by a failing disk).
    """
    if not path.exists():
        return _create_new(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DataFileError(
            f"Cannot read the data file {path}: {exc.strerror}.",
            hint="Check that you may read and write the file and its folder.",
        ) from None
    if not header:
        raise DataFileError(
            f"The data file {path} is empty (0 bytes): it is damaged or is not an MFA Console data "
            "file. It was left untouched.",
            hint=DAMAGED_HINT,
            command_hint="Restore a backup with: mfa-console backup restore BACKUP_FILE (or open "
            "another file with --data; a path that does not exist yet makes a new data file).",
        )
    if header != SQLITE_HEADER:
        raise DataFileError(
            f"{path} is not an MFA Console data file (it is not an SQLite database). It was left "
            "untouched.",
            hint=WRONG_FILE_HINT,
            command_hint="Open the right file with --data, or restore a backup.",
        )
    with translate_errors(str(path)):
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            migrate.check_not_newer_raw(conn, str(path))
        finally:
            conn.close()
    return False


def _create_new(path: Path) -> bool:
    """Create the new data file (private); True if this call created it."""
    try:
        fileperms.make_dirs(path.parent)
        fileperms.create_file(path)
    except FileExistsError:
        return False  # another process created it meanwhile: SQLite initializes it
    except OSError as exc:
        from mfa_console.core.diskfull import raise_if_full

        raise_if_full(exc, path)
        raise DataFileError(
            f"Cannot create the data file {path}: {exc.strerror}.",
            hint="Choose a folder you may write to for the data file (File > Open Data File..., "
            "or Open Another Data File when the console starts).",
            command_hint="Choose another location with --data or MFA_CONSOLE_DATA.",
        ) from None
    return True


def _tighten(path: Path) -> list[str]:
    """Remove what other users may do with the data file and its companions (and the default
    data folder, which is the console's own)."""
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
    targets = [path, *companions]
    if path.parent == paths.user_data_dir():
        targets.append(path.parent)
    return fileperms.tighten_all(targets)


def _create_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Take transaction control from the driver so that BEGIN IMMEDIATE is possible (SQLAlchemy's
    # documented recipe for pysqlite).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
