"""Bench: back up a 200,000-user data file, against the sqlite3 tool's ``.backup`` in the same run.

Target: this console's backup (snapshot + SHA-256 + manifest + fsync + rename) takes at most 1.5x
the time of ``sqlite3 FILE ".backup COPY"``. Also times verify, restore and the Status snapshot.

    python bench/backup.py [--users 200000] [--rounds 9]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mfa_console.app import open_services
from mfa_console.core.backup import create_backup, restore_backup, verify_backup
from mfa_console.core.status import snapshot
from tests.backup.bulk import add_users


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sqlite_tool_backup(data: Path, copy: Path) -> None:
    copy.unlink(missing_ok=True)
    subprocess.run(["sqlite3", str(data), f".backup '{copy}'"], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        print("the sqlite3 command-line tool is needed (Debian: apt install sqlite3)")
        return 2
    with tempfile.TemporaryDirectory(prefix="mfa-bench-") as folder:
        root = Path(folder)
        data = root / "data.db"
        made = timed(lambda: add_users(data, args.users))
        size = data.stat().st_size / 1e6
        print(f"data file: {args.users:,} users, {size:.1f} MB (made in {made:.1f} s)")
        tool, ours = [], []
        for i in range(args.rounds):  # interleaved, so both see the same machine state
            tool.append(timed(lambda: sqlite_tool_backup(data, root / "tool-copy.db")))
            target = root / f"ours-{i}.mfabackup"
            ours.append(timed(lambda target=target: create_backup(data, target)))
        backup = root / "ours-0.mfabackup"
        verify = statistics.median(timed(lambda: verify_backup(backup)) for _ in range(3))
        restore = timed(lambda: restore_backup(backup, data, safety_dir=root / "safety"))
        services = open_services(data)
        try:
            snapshot(services)  # warm the page cache the way a running console has it
            status = [timed(lambda: snapshot(services)) for _ in range(args.rounds)]
        finally:
            services.close()
    t, o = statistics.median(tool), statistics.median(ours)
    print(f"sqlite3 .backup (median of {args.rounds}): {t * 1000:.0f} ms")
    print(f"console backup  (median of {args.rounds}): {o * 1000:.0f} ms")
    print(f"ratio: {o / t:.2f}x (target <= 1.5x) {'OK' if o / t <= 1.5 else 'OVER'}")
    print(f"verify: {verify * 1000:.0f} ms; restore (incl. safety backup): {restore * 1000:.0f} ms")
    print(f"status snapshot (median): {statistics.median(status) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
