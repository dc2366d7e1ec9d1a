"""Benchmark: synchronize 100,000 users from a real slapd, against a bare ldap3 paged read.

Prints, from one run on one machine:
- a bare ``paged_search`` of the same attributes over the same kind of connection (baseline),
- a full sync into an empty data file (target <= 1.3x the baseline),
- a second full sync with no change (target <= 1.3x),
- an incremental sync after 10 changes (target <= 2% of the full sync),
- the peak RSS of the syncing process (target < 300 MB).
Each sync runs in a fresh child process so its peak RSS is its own; the clock starts once the
process has opened the data file and the sync service (as ``mfa-console service`` has when its
schedule fires), so the figures do not include Python importing the program.

Run from the repository root: ``python bench/sync_100k.py [--users N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if TYPE_CHECKING:
    from mfa_console.core.directory.settings import DirectorySettings
    from tests.services.slapd import SlapdServer

# Imports of the program are made inside the functions: the sync's reader process re-imports
# this script as its main module, and should not pay for them.
PEOPLE = "ou=people,dc=example,dc=test"

# Entries loaded long ago, as in a real directory: only today's edits are "recent".
LOADED_AT = "20250101000000Z"


def users_ldif(count: int) -> Iterator[str]:
    for i in range(count):
        uid = f"user{i:06d}"
        yield (
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: User {i}\n"
            f"sn: Number{i}\ngivenName: User\nmail: {uid}@example.test\n"
            f"telephoneNumber: +1 425 {200 + i // 10000:03d} {i % 10000:04d}\n"
            f"mobile: +44 7700 9{i % 100000:05d}\n"
            f"createTimestamp: {LOADED_AT}\nmodifyTimestamp: {LOADED_AT}\n\n"
        )


def settings_for(server: SlapdServer, ca_file: Path) -> DirectorySettings:
    from mfa_console.core.directory.settings import DirectorySettings

    return replace(
        DirectorySettings.defaults("ldap"),
        servers=(server.url,),
        security="starttls",
        ca_file=str(ca_file),
        bind="anonymous",
        base_dn=server.suffix,
        page_size=1000,
    )


def bare_read(settings: DirectorySettings) -> tuple[float, int]:
    from mfa_console.core.directory.connection import connect
    from mfa_console.core.directory.reader import user_attributes

    start = time.perf_counter()
    count = 0
    with connect(settings, None) as connection:
        for item in connection.conn.extend.standard.paged_search(
            PEOPLE,
            settings.user_filter,
            attributes=user_attributes(settings),
            paged_size=settings.page_size,
            generator=True,
        ):
            count += item.get("type") == "searchResEntry"
    return time.perf_counter() - start, count


def child(data: str, full: bool) -> None:
    """Run one sync in this process; print seconds, counts and peak RSS as JSON."""
    from mfa_console.app import open_services

    services = open_services(data)
    sync = services.sync  # loads the sync feature's modules, as the service does when it starts
    start = time.perf_counter()
    result = sync.run("bench", full=full)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the reader process
    print(
        json.dumps(
            {
                "seconds": seconds,
                "kind": result.kind,
                "status": result.status,
                "message": result.message,
                "peak_mb": peak_kb / 1024,
                "reader_mb": reader_kb / 1024,
                **result.counts.as_dict(),
            }
        )
    )


def run_child(data: Path, full: bool) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", str(data)] + (["--full"] if full else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the best counts)")
    parser.add_argument("--child", metavar="DATA")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.full)
        return
    with tempfile.TemporaryDirectory() as folder:
        measure(Path(folder), args.users, args.repeat)


def prepare(data: Path, settings: DirectorySettings) -> None:
    from mfa_console.app import open_services
    from mfa_console.core.sync.items import SyncItem

    services = open_services(data)
    services.settings.save(settings)
    services.sync.items.add(SyncItem(scope="container", dn=PEOPLE, backup_phone_attribute="mobile"))
    services.close()


def measure(folder: Path, users: int, repeat: int) -> None:
    """Each figure is the best of ``repeat`` runs, bare reads interleaved with the syncs, so that
    other load on the machine hurts both sides alike."""
    from mfa_console.core.directory.reader import user_attributes
    from tests.services.certs import write_ca
    from tests.services.slapd import SlapdServer

    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    certs = write_ca(folder, "ca")
    server = SlapdServer(folder / "slapd", certs)
    server.configure()
    started = time.perf_counter()
    server.slapadd(users_ldif(users))
    print(f"slapadd {users:,} users: {time.perf_counter() - started:.1f} s")
    server.start()
    try:
        settings = settings_for(server, certs.ca_file)
        bare: list[float] = []
        initial, again, incremental = [], [], []
        bare.append(bare_read(settings)[0])
        for rep in range(repeat):
            data = folder / f"console{rep}.db"
            prepare(data, settings)
            initial.append(run_child(data, True))
            bare.append(bare_read(settings)[0])
        data = folder / "console0.db"
        for _ in range(repeat):
            again.append(run_child(data, True))
            bare.append(bare_read(settings)[0])
        for rep in range(repeat):
            change_ten(server, rep, users)
            incremental.append(run_child(data, False))
        baseline = min(bare)
        attrs = len(user_attributes(settings))
        print(
            f"bare ldap3 paged read, {attrs} attributes, {users:,} entries: best {baseline:.2f} s "
            f"(all: {', '.join(f'{b:.2f}' for b in bare)})"
        )
        full = best(initial)
        report(full, "full sync into an empty data file", baseline, 1.3)
        nochange = best(again)
        report(nochange, "second full sync, no change", baseline, 1.3)
        inc = best(incremental)
        ratio = float(inc["seconds"]) / float(full["seconds"])  # type: ignore[arg-type]
        print(
            f"incremental sync after 10 changes: {inc['seconds']:.3f} s ({inc['kind']}, "
            f"updated {inc['updated']}) = {ratio:.2%} of the full sync (target <= 2%): "
            f"{'OK' if ratio <= 0.02 else 'MISSED'}"
        )
        peak = max(float(r["peak_mb"]) for r in (*initial, *again, *incremental))  # type: ignore[arg-type]
        reader = max(float(r["reader_mb"]) for r in (*initial, *again))  # type: ignore[arg-type]
        print(
            f"peak RSS of the syncing process: {peak:.0f} MB (target < 300 MB); "
            f"its reader process: {reader:.0f} MB"
        )
    finally:
        server.stop()


def best(results: list[dict[str, object]]) -> dict[str, object]:
    return min(results, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]


def change_ten(server: SlapdServer, rep: int, users: int) -> None:
    with server.admin() as conn:
        for i in range(10):
            dn = f"uid=user{i * (users // 10):06d},{PEOPLE}"
            conn.modify(dn, {"mail": [("MODIFY_REPLACE", [f"changed{rep}-{i}@example.test"])]})


def report(result: dict[str, object], what: str, baseline: float, target: float) -> None:
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    ratio = seconds / baseline
    print(
        f"{what}: {seconds:.2f} s = {ratio:.2f}x the bare read (target <= {target}x): "
        f"{'OK' if ratio <= target else 'MISSED'}; {result['status']}, added {result['added']}, "
        f"updated {result['updated']}, unchanged {result['unchanged']}, errors {result['errors']}, "
        f"peak RSS {result['peak_mb']:.0f} MB (+ reader process {result['reader_mb']:.0f} MB)"
    )
    if result["status"] != "succeeded":
        print(f"  {result['message']}")


if __name__ == "__main__":
    os.environ.setdefault("MFA_CONSOLE_LOG_DIR", tempfile.gettempdir())
    main()
