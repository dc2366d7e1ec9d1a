"""Benchmark: the RADIUS server inside ``mfa-console service`` under a fixed load.

200,000 console users with OATH tokens. A compiled load generator (bench/radload.c, built with
the system's C compiler) offers PAP requests with the code appended to the password at a fixed
rate (default 500/s for 60 s), each user once (no user repeats within a 30 s step), with
Message-Authenticator, no retries. Scenarios, each on a fresh copy of the data file:
1. target None (the code alone): target 0 rejects, 0 timeouts, p99 < 50 ms;
2. the same while the service synchronizes 100,000 new users from slapd;
3. target LDAP bind against slapd (StartTLS);
4. baseline: a FreeRADIUS users-file server on this machine with the same load (the ceiling).

Run from the repository root inside a keyring session, e.g.
``dbus-run-session -- scripts/with-keyring.sh .venv/bin/python bench/radius.py``
(``--seconds 10 --users 20000`` for a quick look).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "bench-client-secret"
PEOPLE = "ou=people,dc=example,dc=test"
SYNC_OU = "ou=sync,dc=example,dc=test"


def seed_of(index: int) -> bytes:
    return hmac.new(b"radius-bench", str(index).encode(), hashlib.sha1).digest()


def totp(seed: bytes, at: float) -> str:
    counter = struct.pack(">Q", int(at // 30))
    digest = hmac.new(seed, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def make_data(path: Path, users: int) -> None:
    """``users`` console users named user000000..., each with an active software token."""
    from bench.make_users import make_users
    from mfa_console.core.auth.store import seed_purpose
    from mfa_console.core.db import open_database
    from mfa_console.core.keys import data_key

    make_users(users, path)
    db = open_database(path)
    key = data_key(db)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        triggers = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'users' AND type = 'trigger'"
        ).fetchall()
        for name, _sql in triggers:
            cur.execute(f"DROP TRIGGER {name}")
        cur.execute(
            "UPDATE users SET username = printf('user%06d', id - 1), "
            "username_key = printf('user%06d', id - 1), method = 'oath-token', "
            "mode = 'standard', enabled = 1"
        )
        for _name, ddl in triggers:
            cur.execute(ddl)
        if triggers:
            cur.execute("INSERT INTO users_fts(users_fts) VALUES ('rebuild')")
        now = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())
        for start in range(0, users, 20_000):
            tokens, states = [], []
            for i in range(start, min(users, start + 20_000)):
                token_id = uuid.uuid4().hex
                sealed = key.seal(seed_of(i), seed_purpose(token_id))
                row = (token_id, f"B{i:06d}", "software", "active", i + 1, sealed, now, now)
                tokens.append(row)
                states.append((token_id,))
            cur.executemany(
                "INSERT INTO oath_tokens (id, serial, kind, state, user_id, seed_sealed, "
                "algorithm, digits, period, manufacturer, model, created_at, assigned_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'SHA1', 6, 30, '', '', ?, ?)",
                tokens,
            )
            cur.executemany(
                "INSERT INTO oath_token_state (token_id, last_step, drift) VALUES (?, -1, 0)",
                states,
            )
        cur.execute("COMMIT")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
        db.dispose()


def configure(path: Path, target: str, port: int, acct: int) -> None:
    from mfa_console.app import open_services
    from mfa_console.core.radius.config import RadiusClient

    services = open_services(path)
    try:
        settings = replace(
            services.radius.settings(), enabled=True, auth_port=port, acct_port=acct,
            listen_addresses=("127.0.0.1",), target=target,
        )  # fmt: skip
        services.radius.save_settings(settings)
        services.radius.config.save_client(
            RadiusClient("127.0.0.1", "bench", append_code=True), SECRET
        )
    finally:
        services.close()


def packets(count: int, rate: float, secret: str, lead: float, with_code: bool) -> bytes:
    """The load file: request i for user i at i / rate seconds, its code for that moment."""
    from pyrad import packet as rp

    from mfa_console.core.radius.packets import dictionary

    begin = time.time() + lead
    out = bytearray()
    for i in range(count):
        offset = i / rate
        request = rp.AuthPacket(id=i % 256, secret=secret.encode(), dict=dictionary())
        request.authenticator = request.CreateAuthenticator()
        request.AddAttribute("User-Name", f"user{i:06d}")
        password = f"pw-{i:06d}" + (totp(seed_of(i), begin + offset) if with_code else "")
        request["User-Password"] = request.PwCrypt(password)
        request.AddAttribute("NAS-IP-Address", "127.0.0.1")
        request.add_message_authenticator()
        raw = request.RequestPacket()
        out += struct.pack("<IH", int(offset * 1_000_000), len(raw)) + raw
    return bytes(out)


def load(loader: Path, port: int, data: bytes, work: Path, trace: Path | None = None) -> dict:
    file = work / f"load-{port}.bin"
    file.write_bytes(data)
    run = subprocess.run(
        [str(loader), "127.0.0.1", str(port), str(file), "5000", *([str(trace)] if trace else [])],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def slow_moments(trace: Path, over_ms: float = 50.0) -> str:
    """The seconds of the run where requests took longer than ``over_ms``, worst first."""
    per_second: dict[int, list[float]] = {}
    for row in trace.read_text().splitlines():
        at, ms, _code = row.split()
        per_second.setdefault(int(float(at)), []).append(float(ms))
    slow = sorted(
        ((sum(1 for ms in times if ms < 0 or ms > over_ms), second, max(times))
         for second, times in per_second.items()),
        reverse=True,
    )  # fmt: skip
    worst_seconds = [f"s{second}: {n} slow, max {ms:.0f} ms" for n, second, ms in slow[:8] if n]
    return ", ".join(worst_seconds)


def start_service(path: Path, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mfa_console", "--data", str(path), "service", "--tick", "1"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    from mfa_console.app import open_services

    services = open_services(path)
    try:
        deadline = time.monotonic() + 60
        while not services.radius.status().is_listening:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the service did not start listening:\n{log.read_text()}")
            time.sleep(0.2)
    finally:
        services.close()
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(60)


def slapd_ldif(people: int, sync_users: int) -> Iterator[str]:
    yield f"dn: {SYNC_OU}\nobjectClass: organizationalUnit\nou: sync\n\n"
    for i in range(people):
        yield (
            f"dn: uid=user{i:06d},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: user{i:06d}\n"
            f"cn: User {i}\nsn: Number{i}\nuserPassword: pw-{i:06d}\n\n"
        )
    for i in range(sync_users):
        yield (
            f"dn: uid=sync{i:06d},{SYNC_OU}\nobjectClass: inetOrgPerson\nuid: sync{i:06d}\n"
            f"cn: Synced {i}\nsn: Number{i}\nmail: sync{i:06d}@example.test\n"
            f"telephoneNumber: +1 425 {200 + i // 10000:03d} {i % 10000:04d}\n\n"
        )


def use_directory(path: Path, slapd: object, ca_file: Path, sync: bool) -> None:
    from mfa_console.app import open_services
    from mfa_console.core.directory.settings import PASSWORD_SECRET, DirectorySettings
    from mfa_console.core.sync.items import SyncItem

    services = open_services(path)
    try:
        settings = replace(
            DirectorySettings.defaults("ldap"), servers=(slapd.url,), security="starttls",  # type: ignore[attr-defined]
            ca_file=str(ca_file), bind="simple", bind_dn=slapd.reader_dn,  # type: ignore[attr-defined]
            base_dn="dc=example,dc=test",
        )  # fmt: skip
        services.settings.save(settings)
        services.secrets.set(PASSWORD_SECRET, slapd.reader_pw)  # type: ignore[attr-defined]
        if sync:
            services.sync.items.add(SyncItem(scope="container", dn=SYNC_OU))
            services.settings.save(replace(services.sync.settings(), enabled=True))
    finally:
        services.close()


def sync_runs(path: Path) -> list[str]:
    from mfa_console.app import open_services

    services = open_services(path)
    try:
        return [
            f"{run.status}, {run.counts.get('added', 0)} added, "
            f"{(run.ended_at - run.started_at).total_seconds():.0f} s"
            if run.ended_at is not None
            else f"{run.status} (still running when the load ended)"
            for run in services.sync.history.runs()
        ]
    finally:
        services.close()


def line(name: str, result: dict[str, float]) -> str:
    return (
        f"{name:<34} offered {result['offered_per_s']:6.1f}/s  accept {result['accept']:6.0f}  "
        f"reject {result['reject']:4.0f}  timeout {result['timeouts']:4.0f}  "
        f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:8.2f} ms  max "
        f"{result['max_ms']:8.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sync-users", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", default=["none", "sync", "ldap", "freeradius"])
    parser.add_argument("--trace", action="store_true", help="show the slowest seconds of each run")
    args = parser.parse_args()
    count = int(args.rate * args.seconds)
    if count > args.users:
        raise SystemExit("more requests than users: each user sends once")

    from tests.services.certs import write_ca
    from tests.services.freeradius import FreeRadius, free_udp_port
    from tests.services.slapd import SlapdServer

    work = Path(tempfile.mkdtemp(prefix="radius-bench-"))
    loader = work / "radload"
    subprocess.run(
        ["cc", "-O2", "-o", str(loader), str(Path(__file__).with_name("radload.c"))], check=True
    )
    base = work / "base.db"
    began = time.perf_counter()
    make_data(base, args.users)
    print(f"data file: {args.users} users with tokens in {time.perf_counter() - began:.0f} s")
    print(f"load: {args.rate:.0f} PAP requests/s (password + code) for {args.seconds:.0f} s, "
          f"{count} distinct users, no retries, 5 s timeout")  # fmt: skip
    slapd = None
    if {"sync", "ldap"} & set(args.only):
        certs = write_ca(work, "cas")
        slapd = SlapdServer(work / "slapd", certs)
        slapd.configure()
        slapd.slapadd(slapd_ldif(count, args.sync_users))
        slapd.start()
    results: list[str] = []
    try:
        for scenario in args.only:
            if scenario == "freeradius":
                users = "".join(
                    f'user{i:06d} Cleartext-Password := "pw-{i:06d}"\n' for i in range(count)
                )
                server = FreeRadius(work / "freeradius", SECRET, users).start()
                try:
                    data = packets(count, args.rate, SECRET, 0.5, with_code=False)
                    result = load(loader, server.auth_port, data, work)
                finally:
                    server.stop()
                results.append(line("baseline: FreeRADIUS users file", result))
                print(results[-1], flush=True)
                continue
            path = work / f"{scenario}.db"
            shutil.copy(base, path)
            port, acct = free_udp_port(), free_udp_port()
            configure(path, "ldap" if scenario == "ldap" else "none", port, acct)
            if slapd is not None and scenario in ("sync", "ldap"):
                use_directory(path, slapd, certs.ca_file, sync=scenario == "sync")
            service = start_service(path, work / f"{scenario}.log")
            try:
                data = packets(count, args.rate, SECRET, 0.5, with_code=True)
                trace = work / f"{scenario}.trace" if args.trace else None
                result = load(loader, port, data, work, trace)
            finally:
                stop(service)
            name = {"none": "target None", "sync": "target None during a 100k sync",
                    "ldap": "target LDAP bind (slapd, StartTLS)"}[scenario]  # fmt: skip
            results.append(line(name, result))
            if trace is not None:
                slowest = slow_moments(trace) or "none over 50 ms"
                results[-1] += "\n    slowest seconds: " + slowest
            if scenario == "sync":
                results[-1] += "\n    sync runs during the load: " + "; ".join(sync_runs(path))
            print(results[-1], flush=True)
    finally:
        if slapd is not None:
            slapd.stop()
    print("\n".join(["", "summary:", *results]))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
