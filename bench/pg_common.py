"""Shared by the PostgreSQL benches: a private cluster (as the tests make one) and a 200k file."""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]


def users_file(count: int, folder: Path) -> Path:
    """A data file with ``count`` users (bench/make_users.py), made once and kept in ``folder``."""
    from make_users import make_users  # type: ignore[import-not-found]

    path = folder / f"users-{count}.db"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"making {path.name} with {count:,} users ... {make_users(count, path):.1f} s")
    from mfa_console.app import open_services

    open_services(path).close()  # at this version's schema
    return path


def start_cluster():  # type: ignore[no-untyped-def]
    """A private PostgreSQL cluster on loopback (crash-safe settings off: a bench, not data)."""
    from tests.services.postgres import PostgresServer

    began = time.perf_counter()
    server = PostgresServer().start()
    print(f"PostgreSQL cluster started in {time.perf_counter() - began:.1f} s (port {server.port})")
    return server


def migrate_into(server, path: Path, name: str) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """``data migrate`` of ``path`` into a new database ``name``; (its URL, seconds)."""
    from mfa_console.app import open_services
    from mfa_console.core.db.engine import connect_postgres
    from mfa_console.core.db.transfer import copy_to_postgres

    server.admin(f"CREATE DATABASE {name}")
    url = server.url(name)
    source, target = open_services(path), connect_postgres(url)
    try:
        report = copy_to_postgres(source.db, target)
    finally:
        source.close()
        target.dispose()
    return url, report.seconds
