"""Benchmark: a full sync of 100,000 users from a real slapd into PostgreSQL and into SQLite.

    python bench/pg_sync_100k.py [--users N] [--repeat R]

The same slapd and the same sync (bench/sync_100k.py's child process: the clock starts once the
data is open) into a new SQLite file and into a new database of a private PostgreSQL cluster,
interleaved, best of R each. Target: PostgreSQL <= 1.5x SQLite.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from pg_common import start_cluster
from sync_100k import prepare, run_child, settings_for, users_ldif  # type: ignore[import-not-found]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from tests.services.certs import write_ca
    from tests.services.slapd import SlapdServer

    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        certs = write_ca(folder, "ca")
        slapd = SlapdServer(folder / "slapd", certs)
        slapd.configure()
        slapd.slapadd(users_ldif(args.users))
        slapd.start()
        cluster = start_cluster()
        try:
            settings = settings_for(slapd, certs.ca_file)
            sqlite, postgres = [], []
            for rep in range(args.repeat):
                data = folder / f"console{rep}.db"
                prepare(data, settings)
                sqlite.append(run_child(data, True))
                cluster.admin(f"CREATE DATABASE sync{rep}")
                url = cluster.url(f"sync{rep}")
                prepare(url, settings)  # type: ignore[arg-type]
                postgres.append(run_child(url, True))  # type: ignore[arg-type]
        finally:
            cluster.stop()
            slapd.stop()
    lite = min(float(r["seconds"]) for r in sqlite)  # type: ignore[arg-type]
    pg = min(float(r["seconds"]) for r in postgres)  # type: ignore[arg-type]
    for name, runs in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        best = min(runs, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
        every = ", ".join(f"{float(r['seconds']):.2f}" for r in runs)  # type: ignore[arg-type]
        print(
            f"full sync of {args.users:,} users into {name}: best {best['seconds']:.2f} s "
            f"({best['status']}, added {best['added']}, errors {best['errors']}; runs: {every})"
        )
    print(f"PostgreSQL / SQLite: {pg / lite:.2f}x (target <= 1.5x): "
          f"{'OK' if pg / lite <= 1.5 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("MFA_CONSOLE_LOG_DIR", tempfile.gettempdir())
    began = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - began:.0f} s)")
