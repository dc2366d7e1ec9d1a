"""A private PostgreSQL cluster for tests: initdb, a free loopback port, stopped by its PID.

initdb and the server refuse to run as root, and pytest's temporary folders are root-only, so as
root the cluster lives in a folder owned by the ``postgres`` user and its programs run through
``runuser -u postgres``. The programs are found in Debian's /usr/lib/postgresql/VERSION/bin (the
newest version), else on PATH.

Each test gets a database in the state of a new one: made from a template migrated once per
session (``CREATE DATABASE ... TEMPLATE``), and after the test emptied (TRUNCATE, identities
restarted, a new install id) and handed to the next test, which is ten times faster than
creating one (0.5 s on a busy machine). The role ``postgres`` logs in without a password (trust,
for the fixtures); the role ``console`` must give one (scram-sha-256).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from itertools import count
from pathlib import Path
from typing import Any

from tests.services.slapd import free_port

CONSOLE_ROLE = "console"
CONSOLE_PASSWORD = "Console-Pw-7"
TEMPLATE = "mfa_template"


# Every table but Alembic's emptied (DELETE: TRUNCATE makes new files, 10x slower here), and
# the one row the first migration writes written again.
RESET_SQL = """
SET lock_timeout = '2s';
SET session_replication_role = replica;
DO $$DECLARE name text;
BEGIN
  FOR name IN SELECT tablename FROM pg_tables
               WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM %I', name);
  END LOOP;
  FOR name IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER SEQUENCE %I RESTART', name);
  END LOOP;
END$$;
INSERT INTO meta (key, value) VALUES ('install_id', '{install_id}');
"""


def pg_bin(program: str) -> str:
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{program}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1]
    on_path = shutil.which(program)
    if on_path is None:
        raise RuntimeError(
            f"PostgreSQL's {program} not found: run scripts/install-system-packages.sh test"
        )
    return on_path


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    """One cluster; ``url(db)`` is a psycopg URL for the trusted ``postgres`` role."""

    def __init__(self, parent: Path | None = None, *, crash_safe: bool = False) -> None:
        # Not pytest's tmp_path: the postgres user cannot enter root's 0700 folders.
        self.root = Path(tempfile.mkdtemp(prefix="mfa-pg-", dir=parent or "/tmp"))
        self.data = self.root / "data"
        self.port = free_port()
        self.pid: int | None = None
        self._names = count()
        self._spare: list[str] = []
        # A killed server keeps what it committed only if commits wait for the WAL write
        # (fsync may stay off: the machine itself does not crash).
        self.crash_safe = crash_safe
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def url(self, database: str, role: str = "postgres", **query: str) -> str:
        params = "&".join(f"{k}={v}" for k, v in {"user": role, **query}.items())
        return f"postgresql://127.0.0.1:{self.port}/{database}?{params}"

    def _run(self, *args: str) -> str:
        done = subprocess.run(_as_postgres(list(args)), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> PostgresServer:
        self._run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",  # tests only: nothing here must survive a crash of the machine
            "synchronous_commit": "on" if self.crash_safe else "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
        }
        with (self.data / "postgresql.conf").open("a") as handle:
            handle.writelines(f"{key} = {value}\n" for key, value in conf.items())
        (self.data / "pg_hba.conf").write_text(
            "local all postgres trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        return self.resume_server()

    def resume_server(self) -> PostgresServer:
        """Start the postmaster (again, after ``kill``) and wait until it accepts connections."""
        log = self.root / "server.log"
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "30", "start")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        self.psql(f"DO $$BEGIN CREATE ROLE {CONSOLE_ROLE} LOGIN PASSWORD '{CONSOLE_PASSWORD}'; "
                  "EXCEPTION WHEN duplicate_object THEN NULL; END$$")  # fmt: skip
        return self

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql)  # fmt: skip

    def make_template(self) -> None:
        """A database migrated to the newest schema, the template of every test's database."""
        from mfa_console.core.db import open_database

        self.psql(f"CREATE DATABASE {TEMPLATE}")
        open_database(self.url(TEMPLATE)).dispose()

    def admin(self, sql: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        """Run ``sql`` as ``postgres`` over psycopg (autocommit); the rows it returns."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def new_database(self, *, empty: bool = False, owner: str = "postgres") -> str:
        """A fresh database (migrated, from the template; or ``empty``); returns its name."""
        if not empty and owner == "postgres" and self._spare:
            return self._spare.pop()
        name = f"t{os.getpid()}_{next(self._names)}"
        source = "template0" if empty else TEMPLATE
        self.admin(f"CREATE DATABASE {name} TEMPLATE {source} OWNER {owner}")
        return name

    def recycle(self, name: str) -> None:
        """Empty a test's database for the next test; drop it if anything still holds it."""
        try:
            self.admin(RESET_SQL.format(install_id=uuid.uuid4()), name)
        except Exception:  # a test left a transaction open, or changed the schema
            self.drop(name)
        else:
            self._spare.append(name)

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def backends(self) -> list[int]:
        """The PIDs of the server's processes other than the postmaster."""
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                lines = status.read_text().splitlines()
            except OSError:
                continue
            ppid = next((line.split()[1] for line in lines if line.startswith("PPid:")), "")
            if ppid == str(self.pid):
                children.append(int(status.parent.name))
        return children

    def pause(self) -> None:
        """Hang the whole server: the postmaster and every backend stop answering."""
        for pid in [self.pid, *self.backends()]:
            os.kill(pid, signal.SIGSTOP)  # type: ignore[arg-type]

    def resume(self) -> None:
        for pid in [self.pid, *self.backends()]:
            os.kill(pid, signal.SIGCONT)  # type: ignore[arg-type]

    def kill(self) -> None:
        """Crash the server: SIGKILL to the postmaster and every backend."""
        pids = [self.pid, *self.backends()]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]
        self._wait_gone(self.pid)
        self.pid = None

    def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGCONT)
                os.kill(self.pid, signal.SIGQUIT)  # immediate shutdown: nothing to keep
            except ProcessLookupError:
                pass
            self._wait_gone(self.pid)
            self.pid = None
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def _wait_gone(pid: int | None, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while pid is not None and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
