"""PostgreSQL as the data store: the URL, the password, timeouts, and errors a person can act on.

The console talks to PostgreSQL 13+ through psycopg 3 (``postgresql+psycopg``). The password is
never taken from the URL or the environment: it comes from the OS keyring (remembered after a
first successful login), from an explicit prompt (``--password-stdin``, the GUI's prompt), or from
libpq's own ``.pgpass``. ``sslmode`` and ``sslrootcert`` in the URL go to libpq unchanged.

Timeouts are short and stated: a connection must be made within ``connect_timeout`` (5 s), a
statement must end within ``statement_timeout`` (15 s; the server cancels it), a lock is waited for
``lock_timeout`` (5 s). A server that stops answering altogether (hung, or its machine gone) cannot
cancel anything, so a watchdog closes the socket of a connection that has waited for the server
longer than the statement timeout plus a grace: the call fails at once and the server rolls the
transaction back when it next runs.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from mfa_console.core.errors import DataFileError, DataFileLockedError

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 15
LOCK_TIMEOUT_S = 5
GRACE_S = 3
# Keyring namespace of database passwords (the install id is not known before connecting).
KEYRING_NAMESPACE = "postgresql"
# Every write transaction takes this transaction-level advisory lock first: writers take turns
# as on SQLite (BEGIN IMMEDIATE), so a service's read-check-write stays atomic across consoles.
WRITE_LOCK_KEY = 0x4D4641_0001
# Consoles opening the same database at once migrate it one after the other.
MIGRATE_LOCK_KEY = 0x4D4641_0002
# Options of the console, not of libpq: read from the URL's query and removed before connecting.
_CONSOLE_OPTIONS = ("statement_timeout", "lock_timeout")


class PasswordNeededError(DataFileError):
    """The server wants a password that neither the keyring nor .pgpass gave (or it was wrong)."""


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def normalize_url(text: str) -> str:
    """``postgresql://`` (or ``postgres://``) as a psycopg 3 URL; a password in it is refused."""
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    url = make_url(text)
    if url.password is not None or "password" in url.query:
        raise DataFileError(
            "The data URL contains a password; MFA Console never takes a password from a URL "
            "(it would show in process lists, shell history and logs).",
            hint="Remove the password from the URL: the console asks for it once and keeps it "
            "in the OS keyring, or put it in a .pgpass file.",
            command_hint="Remove the password from the URL: give it once with --password-stdin "
            "(it is kept in the OS keyring), or put it in a .pgpass file.",
        )
    if url.drivername in ("postgresql", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DataFileError(
        f"The database driver {url.drivername!r} is not supported.",
        hint="Use a postgresql://HOST[:PORT]/DATABASE?user=ROLE URL (psycopg 3).",
    )


@dataclass(frozen=True)
class Timeouts:
    connect: int = CONNECT_TIMEOUT_S
    statement: float = STATEMENT_TIMEOUT_S
    lock: float = LOCK_TIMEOUT_S

    @property
    def watchdog(self) -> float:
        return self.statement + GRACE_S


def password_key(url: str) -> str:
    """The keyring entry of a server's password: ``role@host:port/database``."""
    parsed = make_url(url)
    user = parsed.username or str(parsed.query.get("user") or "") or _os_user()
    return f"{user}@{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def display_name(url: str) -> str:
    parsed = make_url(url)
    return f"postgresql://{password_key(url)}" if parsed.host else parsed.render_as_string()


def split_options(url: str) -> tuple[URL, Timeouts]:
    """The URL for libpq (console options removed) and the timeouts it asks for."""
    parsed = make_url(url)
    query = dict(parsed.query)
    values: dict[str, Any] = {}
    for name in ("connect_timeout", *_CONSOLE_OPTIONS):
        raw = query.get(name)
        if raw is None:
            continue
        try:
            values[name] = float(raw if isinstance(raw, str) else raw[0])
        except ValueError:
            raise DataFileError(
                f"The data URL's {name}={raw!r} is not a number of seconds.",
                hint=f"Write {name}=SECONDS, or leave it out for the default.",
            ) from None
        if name in _CONSOLE_OPTIONS:
            del query[name]
    timeouts = Timeouts(
        connect=max(2, int(values.get("connect_timeout", CONNECT_TIMEOUT_S))),
        statement=values.get("statement_timeout", STATEMENT_TIMEOUT_S),
        lock=values.get("lock_timeout", LOCK_TIMEOUT_S),
    )
    return parsed.set(query=query), timeouts


def check_environment() -> None:
    """Refuse PGPASSWORD: libpq would take it silently, and the environment is readable."""
    if os.environ.get("PGPASSWORD"):
        raise DataFileError(
            "PGPASSWORD is set; MFA Console does not take a database password from the "
            "environment (other processes of this user can read it).",
            hint="Unset PGPASSWORD; the console keeps the password in the OS keyring "
            "or reads a .pgpass file.",
            command_hint="Unset PGPASSWORD; give the password with --password-stdin (it is kept "
            "in the OS keyring) or put it in a .pgpass file.",
        )


def create_pg_engine(url: str, password: str | None) -> tuple[Engine, Timeouts]:
    """An engine whose connections have the console's timeouts and watchdog."""
    check_environment()
    libpq_url, timeouts = split_options(url)
    ms = {"statement": int(timeouts.statement * 1000), "lock": int(timeouts.lock * 1000)}
    options = (
        f"-c statement_timeout={ms['statement']} -c lock_timeout={ms['lock']} "
        f"-c idle_in_transaction_session_timeout={max(60000, 4 * ms['statement'])} "
        "-c TimeZone=UTC"
    )
    connect_args: dict[str, Any] = {
        "connect_timeout": timeouts.connect,
        "options": options,
        "application_name": "MFA Console",
    }
    if password is not None:
        connect_args["password"] = password
    engine = create_engine(libpq_url, pool_pre_ping=True, connect_args=connect_args)

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        conn = _watched_connection().connect(*cargs, **cparams)
        conn.limit = timeouts.watchdog
        return conn

    return engine, timeouts


def set_watchdog_deadline(dbapi_connection: Any, seconds: float | None) -> None:
    """Give one connection a longer wait (bulk copies); None returns it to the engine's."""
    if hasattr(dbapi_connection, "deadline"):
        dbapi_connection.deadline = seconds


# The watchdog ------------------------------------------------------------------------------------
class _Watchdog:
    """One daemon thread: closes the socket of any connection waiting past its deadline."""

    def __init__(self) -> None:
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, conn: Any) -> None:
        with self._lock:
            self.connections.add(conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pg-watchdog", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            for conn in list(self.connections):
                since = conn.busy_since
                limit = conn.deadline or conn.limit
                if since is not None and now - since > limit:
                    conn.abort_socket()


_WATCHDOG = _Watchdog()
_WATCHED: Any = None


def _watched_connection() -> Any:
    """psycopg's Connection, timing every wait for the server (imported on first use)."""
    global _WATCHED
    if _WATCHED is not None:
        return _WATCHED
    import psycopg

    class ServerTimeout(psycopg.OperationalError):
        """The watchdog ended a wait: the server did not answer within ``seconds``."""

        in_commit = False

        def __init__(self, seconds: float) -> None:
            super().__init__(f"the server did not answer within {seconds:g} s")
            self.seconds = seconds

    class WatchedConnection(psycopg.Connection):
        busy_since: float | None = None
        limit: float = STATEMENT_TIMEOUT_S + GRACE_S  # the engine's watchdog
        deadline: float | None = None  # a longer one for this connection, for a while
        timed_out: float | None = None
        committing = False

        def wait(self, *args: Any, **kwargs: Any) -> Any:
            self.busy_since = time.monotonic()
            try:
                return super().wait(*args, **kwargs)
            except psycopg.OperationalError as exc:
                if self.timed_out:
                    timeout = ServerTimeout(self.timed_out)
                    timeout.in_commit = self.committing
                    raise timeout from exc
                exc.in_commit = self.committing  # type: ignore[attr-defined]
                raise
            finally:
                self.busy_since = None

        def commit(self) -> None:
            # Once COMMIT is sent, a lost answer leaves the outcome unknown (all or nothing).
            self.committing = True
            try:
                super().commit()
            finally:
                self.committing = False

        def abort_socket(self) -> None:
            """Shut the socket down: the pending wait ends with an error at once."""
            self.timed_out = self.deadline or self.limit
            self.busy_since = None
            try:
                dup = socket.socket(fileno=os.dup(self.pgconn.socket))
            except (OSError, psycopg.Error):
                return
            try:
                dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            finally:
                dup.close()

        @classmethod
        def connect(cls, *args: Any, **kwargs: Any) -> Any:
            conn = super().connect(*args, **kwargs)
            _WATCHDOG.watch(conn)
            return conn

    _WATCHED = WatchedConnection
    return WatchedConnection


# Errors ------------------------------------------------------------------------------------------
_LOCK_STATES = {"55P03", "40001", "40P01"}
_AUTH_STATES = {"28P01", "28000"}


def translated(orig: BaseException | None, name: str, timeouts: Timeouts) -> DataFileError | None:
    """The error a person can act on for a psycopg failure, or None to let it through (a bug)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    if not isinstance(orig, psycopg.Error):
        return None
    state = orig.sqlstate or ""
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if state in _LOCK_STATES:
        return DataFileLockedError(
            f"The PostgreSQL database {name} is busy: another console held a lock for longer "
            f"than {timeouts.lock:g} s.",
            hint="Wait for the other console's operation to finish, then try again.",
        )
    if state == "57014":
        return DataFileError(
            f"The PostgreSQL server {name} took longer than {timeouts.statement:g} s "
            "(statement timeout); nothing of this operation was saved.",
            hint="Check the server's load, or raise statement_timeout=SECONDS in the data URL.",
        )
    if state == "25006":
        return DataFileError(
            f"The PostgreSQL server {name} is read-only (a standby, or read-only by "
            "configuration): the change was not saved. Viewing still works.",
            hint="Connect to the primary server, or ask its administrator when it will accept "
            "changes again.",
        )
    if state == "42501":
        return DataFileError(
            f"The database role lacks a privilege on {name}: {first}",
            hint="Grant the role the privileges docs/postgresql.md lists.",
        )
    if state in _AUTH_STATES or _needs_password(orig):
        return PasswordNeededError(
            f"The PostgreSQL server {name} refused the login: {first}",
            hint="Enter the password when the console asks for it, or add it to a .pgpass file.",
            command_hint="Give the password with --password-stdin, or add it to a .pgpass file.",
        )
    if state == "3D000":
        return DataFileError(
            f"The database of {name} does not exist.",
            hint="Create it first (docs/postgresql.md), or correct the URL.",
        )
    if isinstance(orig, psycopg.OperationalError):
        return _unreachable(orig, name, timeouts, first)
    return None


def _needs_password(orig: BaseException) -> bool:
    """A login that failed for want of the right password (libpq tells; no SQLSTATE exists yet).

    PQconnectionNeedsPassword: asked and none given; PQconnectionUsedPassword on a connection
    that never started (protocol 0): one was given and the server refused the login.
    """
    pgconn = getattr(orig, "pgconn", None)
    if pgconn is None or getattr(pgconn, "protocol_version", 1) != 0:
        return False
    return bool(getattr(pgconn, "needs_password", False) or getattr(pgconn, "used_password", False))


def _unreachable(orig: BaseException, name: str, timeouts: Timeouts, first: str) -> DataFileError:
    timed_out = getattr(orig, "seconds", None)
    if timed_out:
        text = f"The PostgreSQL server {name} did not answer within {timed_out:g} s"
    else:
        text = f"The PostgreSQL server {name} cannot be reached or closed the connection ({first})"
    if getattr(orig, "in_commit", False):
        outcome = (
            "it did not confirm the save: the change was saved entirely or not at all (a "
            "transaction); look at the data again when the server answers"
        )
    else:
        outcome = "the operation was stopped and nothing of it was saved"
    return DataFileError(
        f"{text}; {outcome}.",
        hint=f"Check that the server runs and answers (connect timeout {timeouts.connect} s, "
        f"statement timeout {timeouts.statement:g} s), then try again.",
    )
