"""Benchmark: ``data migrate`` of a 200,000-user data file into an empty PostgreSQL database.

    python bench/pg_migrate.py [--users N]

The whole command's work (schema by the migrations, every table copied, sequences, the trigram
index built, the counts and every field of every user compared, one transaction) against the
baseline measured in the same run: a bare psycopg COPY of the same users rows, read with sqlite3,
into a table with no index and nothing checked. Target: under 60 s for 200,000 users.
"""

from __future__ import annotations

import argparse
import sqlite3
import time

from pg_common import HERE, migrate_into, start_cluster, users_file


def bare_copy(server, path) -> float:  # type: ignore[no-untyped-def]
    import psycopg

    server.admin("CREATE DATABASE bare")
    began = time.perf_counter()
    source = sqlite3.connect(path)
    columns = [row[1] for row in source.execute("PRAGMA table_info(users)")]
    dsn = f"host=127.0.0.1 port={server.port} user=postgres dbname=bare"
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE users (" + ", ".join(f'"{c}" text' for c in columns) + ")")
        with conn.cursor().copy(f"COPY users ({', '.join(columns)}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {', '.join(columns)} FROM users"):
                copy.write_row(row)
    source.close()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    args = parser.parse_args()
    path = users_file(args.users, HERE / "out")
    server = start_cluster()
    try:
        baseline = bare_copy(server, path)
        _url, seconds = migrate_into(server, path, "moved")
    finally:
        server.stop()
    print(f"baseline: bare COPY of {args.users:,} users rows, no index, no check: {baseline:.1f} s")
    print(
        f"data migrate of {args.users:,} users (schema, all tables, index, every field compared): "
        f"{seconds:.1f} s = {seconds / baseline:.1f}x the bare COPY; target < 60 s: "
        f"{'OK' if seconds < 60 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
