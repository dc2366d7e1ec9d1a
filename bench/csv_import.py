"""Bench: a users CSV import (check the whole file, then write it in batches), against the
previous design measured in the same run: the same rows written in one pass of batches without
the first, checking pass.

The checking pass reads and validates every row once more; the figure says what that safety
costs. The import's peak memory is printed too (it must not grow with the number of rows).

    python bench/csv_import.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mfa_console.app import open_services
from mfa_console.core.progress import NullProgress
from mfa_console.core.users.csvio import (
    ImportReport,
    _apply_file,
    import_users,
)

HEADER = "username,first_name,last_name,email,phone,enabled\n"


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            handle.write(
                f"user{i:07d}@example.com,First{i},Last,user{i:07d}@example.com,"
                f"+1425555{i % 10000:04d},true\n"
            )


def one_pass(data: Path, source: Path) -> float:
    """The previous design: write the rows in batches, no checking pass first."""
    services = open_services(data)
    try:
        start = time.perf_counter()
        _apply_file(services.users, source, None, NullProgress(), set(), ImportReport())
        return time.perf_counter() - start
    finally:
        services.close()


def checked(data: Path, source: Path) -> float:
    services = open_services(data)
    try:
        start = time.perf_counter()
        report = import_users(services.users, source)
        took = time.perf_counter() - start
        assert report.applied and not report.rejected, report.rejected[:3]
        return took
    finally:
        services.close()


def peak_memory(data: Path, source: Path) -> int:
    """Traced peak of an import (a separate run: tracing slows Python down)."""
    services = open_services(data)
    try:
        tracemalloc.start()
        import_users(services.users, source)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak
    finally:
        services.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mfa-bench-") as folder:
        root = Path(folder)
        source = root / "users.csv"
        write_csv(source, args.rows)
        baseline = one_pass(root / "baseline.db", source)
        ours = checked(root / "checked.db", source)
        peak = peak_memory(root / "memory.db", source)
        rate = args.rows / baseline
        print(f"{args.rows:,} rows, new users")
        print(f"baseline (one writing pass):    {baseline:6.1f} s ({rate:,.0f} rows/s)")
        print(f"check whole file, then write:   {ours:6.1f} s ({args.rows / ours:,.0f} rows/s), "
              f"{ours / baseline:.2f}x the baseline")  # fmt: skip
        print(f"import peak memory (traced):    {peak / 1e6:6.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
