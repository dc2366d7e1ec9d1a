"""Bench: the authentication log's first page for each filter at 5,000,000 rows (target < 300 ms).

Baseline in the same run: reading 200 rows of the same table with no filter and no order (the
least any page can cost). The first page is what the Logs pane and ``auth log`` ask for.

    python bench/auth_log.py [--rows 5000000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mfa_console.core.auth.log import LogFilter, page, uuid7
from mfa_console.core.db import open_database

RESULTS = (
    ["OATH_CODE_VERIFIED"] * 90
    + ["FAILED_OATH_CODE_INCORRECT"] * 8
    + ["FAILED_OATH_CODE_DUPLICATE", "AUTHENTICATION_THROTTLED"]
)
END = datetime(2026, 11, 29)
SPAN_MS = 90 * 24 * 3600 * 1000


def fill(path: Path, rows: int) -> float:
    db = open_database(path)
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    began = time.perf_counter()
    cursor.execute("PRAGMA cache_size=-400000")
    cursor.execute("BEGIN IMMEDIATE")
    indexes = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name='auth_log' AND type='index' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        cursor.execute(f"DROP INDEX {name}")
    rng = random.Random(3)
    start_ms = int((END - timedelta(days=90)).timestamp() * 1000)
    sql = "INSERT INTO auth_log VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    for offset in range(0, rows, 100_000):
        batch = []
        for n in range(offset, min(rows, offset + 100_000)):
            ms = start_ms + n * SPAN_MS // rows
            user = f"user{rng.randrange(20_000)}@contoso.com"
            batch.append(
                (
                    uuid7(ms).hex,
                    datetime.fromtimestamp(ms / 1000).isoformat(sep=" "),
                    user,
                    user,
                    "First",
                    "Last",
                    user,
                    "oath-token",
                    "standard",
                    rng.choice(RESULTS),
                    "",
                    "radius1",
                    "10.0.0.1",
                    f"10.1.{rng.randrange(256)}.{rng.randrange(256)}",
                    "VPN",
                )
            )
        cursor.executemany(sql, batch)
    for _name, ddl in indexes:
        cursor.execute(ddl)
    cursor.execute("COMMIT")
    cursor.execute("ANALYZE")
    raw.close()
    db.dispose()
    return time.perf_counter() - began


def timed_ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "log.db"
        print(f"{args.rows:,} rows written in {fill(data, args.rows):.0f} s")
        db = open_database(data)
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            base = timed_ms(lambda: raw.execute("SELECT * FROM auth_log LIMIT 200").fetchall())
        print(f"baseline (200 rows, no filter, no order): {base:.2f} ms")
        week = END - timedelta(days=7)
        filters = {
            "none": LogFilter(),
            "user": LogFilter(user="user42@contoso.com"),
            "result (common)": LogFilter(result="OATH_CODE_VERIFIED"),
            "result (rare)": LogFilter(result="AUTHENTICATION_THROTTLED"),
            "result (absent)": LogFilter(result="FAILED_USER_NOT_FOUND"),
            "since 7 days": LogFilter(since=week),
            "user + result": LogFilter(
                user="user42@contoso.com", result="FAILED_OATH_CODE_INCORRECT"
            ),
            "result + since": LogFilter(result="AUTHENTICATION_THROTTLED", since=week),
            "user + since": LogFilter(user="user42@contoso.com", since=week),
        }
        worst = 0.0
        for name, where in filters.items():
            ms = timed_ms(lambda where=where: page(db, where))
            worst = max(worst, ms)
            print(f"first page, {name:16s} {ms:8.2f} ms  ({ms / base:.1f}x baseline)")
        print(f"worst first page: {worst:.1f} ms (target < 300 ms)")
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
