"""Benchmark: the Users pane's search keystroke at 200,000 users, PostgreSQL against SQLite.

    python bench/pg_users_search.py [--users N]

The same 200,000-user data file (bench/make_users.py) is moved into a private PostgreSQL cluster
with ``data migrate``; then, for each engine in turn, the Users pane (offscreen) gets the search
texts of bench/users_pane.py and the letters of a name typed one by one. Each keystroke is the
search box's update: new query, count, first page, and every visible cell read, as a paint would.
Five runs of each text; the p95 over all of them, for both engines from the same run. Targets:
PostgreSQL p95 < 150 ms and <= 2x SQLite's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from pg_common import HERE, migrate_into, start_cluster, users_file

RUNS = 5


def keystrokes(data: str | Path) -> dict[str, list[float]]:
    from PySide6.QtWidgets import QApplication
    from users_pane import TEXTS, TYPED, visible_rows  # type: ignore[import-not-found]

    from mfa_console.app import open_services
    from mfa_console.ui.panes.users import UsersPane

    app = QApplication.instance() or QApplication(sys.argv[:1])
    services = open_services(data)
    pane = UsersPane(services)
    pane.resize(1000, 700)
    pane.show()
    app.processEvents()

    def update(text: str) -> None:
        pane.search.blockSignals(True)
        pane.search.setText(text)
        pane.search.blockSignals(False)
        pane._on_search_timer_timeout()
        visible_rows(pane.table)

    samples: dict[str, list[float]] = {}
    for text in (*TEXTS, *(TYPED[:n] for n in range(1, len(TYPED) + 1))):
        for _ in range(RUNS):
            update("")
            began = time.perf_counter()
            update(text)
            samples.setdefault(text, []).append(time.perf_counter() - began)
    pane.close()
    services.close()
    return samples


def p95(samples: dict[str, list[float]]) -> float:
    every = [s for runs in samples.values() for s in runs]
    return statistics.quantiles(every, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    path = users_file(args.users, HERE / "out")
    server = start_cluster()
    try:
        url, seconds = migrate_into(server, path, "search")
        print(f"data migrate of {args.users:,} users: {seconds:.1f} s")
        server.admin("VACUUM ANALYZE", "search")
        sqlite = keystrokes(path)
        postgres = keystrokes(url)
    finally:
        server.stop()
    print(f"\nsearch keystroke, {args.users:,} users, median of {RUNS} runs (ms):")
    print(f"    {'text':<14}{'SQLite':>9}{'PostgreSQL':>12}{'ratio':>8}")
    for text in sqlite:
        lite, pg = statistics.median(sqlite[text]), statistics.median(postgres[text])
        print(f"    {text!r:<14}{lite * 1000:>9.1f}{pg * 1000:>12.1f}{pg / lite:>8.2f}")
    lite95, pg95 = p95(sqlite), p95(postgres)
    print(
        f"p95: SQLite {lite95 * 1000:.1f} ms, PostgreSQL {pg95 * 1000:.1f} ms = "
        f"{pg95 / lite95:.2f}x; targets PostgreSQL < 150 ms: {'OK' if pg95 < 0.150 else 'MISSED'}, "
        f"<= 2x SQLite: {'OK' if pg95 <= 2 * lite95 else 'MISSED'}"
    )
    sys.stdout.flush()
    os._exit(0)  # skip the teardown of the Qt objects


if __name__ == "__main__":
    main()
