"""Benchmark: the directory reader and importer against a bare ldap3 paged read, same run.

Prints, from one run on one machine (a private slapd loaded with generated users):
- baseline: a bare ``paged_search`` of the same attributes over the same kind of connection,
- ``read_users`` (paged read + mapping + canonical ids) of the same users: ratio to baseline,
- ``import_users`` of the first ``--import-users`` records into an empty data file: users/s,
  and its ratio to the baseline's reading time for the same number of users.

Run from the repository root: ``python bench/directory_read.py [--users N] [--import-users M]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mfa_console.app import open_services
from mfa_console.core.directory.connection import connect
from mfa_console.core.directory.importer import import_users
from mfa_console.core.directory.reader import read_users, user_attributes
from mfa_console.core.directory.records import ContainerScope
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.progress import NullProgress
from tests.services.certs import write_ca
from tests.services.slapd import PEOPLE, SlapdServer, users_ldif


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--import-users", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = SlapdServer(work / "slapd", write_ca(work, "ca"))
        server.configure()
        started = time.perf_counter()
        server.slapadd(users_ldif(args.users))
        print(f"slapadd {args.users} users: {time.perf_counter() - started:.1f} s")
        server.start()
        try:
            run(server, args, work)
        finally:
            server.stop()


def run(server: SlapdServer, args: argparse.Namespace, work: Path) -> None:
    settings = dataclasses.replace(
        DirectorySettings.defaults("ldap"),
        servers=(server.url,),
        security="starttls",
        ca_file=str(server.certs.ca_file),
        bind_dn=server.reader_dn,
        base_dn=server.suffix,
    )
    attrs = user_attributes(settings)
    baseline = reader = float("inf")
    for _round in range(2):  # interleaved, best of two: other load on the machine hits both
        with connect(settings, server.reader_pw) as connection:
            started = time.perf_counter()
            bare = sum(
                1
                for item in connection.conn.extend.standard.paged_search(
                    PEOPLE, settings.user_filter, attributes=attrs, paged_size=1000, generator=True
                )
                if item["type"] == "searchResEntry"
            )
            baseline = min(baseline, time.perf_counter() - started)
        with connect(settings, server.reader_pw) as connection:
            started = time.perf_counter()
            scope = ContainerScope(PEOPLE)
            records = list(read_users(connection, settings, scope, NullProgress()))
            reader = min(reader, time.perf_counter() - started)
    print(f"baseline bare paged read: {bare} entries in {baseline:.2f} s")
    print(f"read_users: {len(records)} users in {reader:.2f} s = {reader / baseline:.2f}x baseline")
    # generated mail addresses use a special-use domain the console refuses; use a real one
    records = [dataclasses.replace(r, email=r.email.replace(".test", ".com")) for r in records]
    services = open_services(work / "bench.db")
    subset = records[: args.import_users]
    started = time.perf_counter()
    result = import_users(services.db, services.settings, subset, NullProgress())
    spent = time.perf_counter() - started
    per_user_baseline = baseline / max(bare, 1) * len(subset)
    print(
        f"import_users: {result.created} created in {spent:.2f} s "
        f"({len(subset) / spent:.0f} users/s) = {spent / per_user_baseline:.1f}x the bare read "
        "of as many users"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")
    services.close()


if __name__ == "__main__":
    main()
