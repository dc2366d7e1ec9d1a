"""Bench: verify OATH codes against a data file of 200,000 users with tokens.

Measured one-shot (Test User, ``users test``) and through a long-lived ``Verifier`` as the RADIUS
server keeps one. Baseline in the same run: one bare HMAC-SHA1 TOTP computation plus one SQLite
write (an INSERT committed in its own transaction, WAL, synchronous=NORMAL, as the data file). A
verification does the user and token reads, opens the sealed seed, computes the window's codes,
the replay guard's compare-and-set and the lockout bookkeeping, and writes the authentication log
row (one-shot) or hands it to the batch writer (the server).

    scripts/with-keyring.sh python bench/auth_verify.py [--users 200000] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import random
import sqlite3
import struct
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_users import make_users
from mfa_console.core.auth.store import seed_purpose
from mfa_console.core.auth.totp import code_at, step_at
from mfa_console.core.auth.verify import AuthRequest, Verifier, verify
from mfa_console.core.db import open_database
from mfa_console.core.keys import data_key


def add_tokens(path: Path) -> list[tuple[str, bytes]]:
    """A software token for every user; returns (username, seed) pairs."""
    db = open_database(path)
    key = data_key(db)
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    users = cursor.execute("SELECT id, username FROM users").fetchall()
    tokens, states, pairs = [], [], []
    for user_id, username in users:
        seed, token_id = os.urandom(20), uuid.uuid4().hex
        sealed = key.seal(seed, seed_purpose(token_id))
        tokens.append(
            (
                token_id,
                f"SW-{user_id}",
                "software",
                "active",
                user_id,
                sealed,
                "SHA1",
                6,
                30,
                "",
                "",
                "2026-01-01 00:00:00",
                "2026-01-01 00:00:00",
            )
        )
        states.append((token_id, -1, 0))
        pairs.append((username, seed))
    cursor.execute("BEGIN IMMEDIATE")
    cursor.executemany("INSERT INTO oath_tokens VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", tokens)
    cursor.executemany("INSERT INTO oath_token_state VALUES (?,?,?)", states)
    cursor.execute("UPDATE users SET method = 'oath-token', mode = 'standard', enabled = 1")
    cursor.execute("COMMIT")
    raw.close()
    db.dispose()
    return pairs


def baseline(folder: Path, rounds: int) -> float:
    conn = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at REAL, code TEXT)")
    seed = os.urandom(20)
    start = time.perf_counter()
    for _ in range(rounds):
        now = time.time()
        mac = hmac.new(seed, struct.pack(">Q", int(now // 30)), hashlib.sha1).digest()
        offset = mac[-1] & 0x0F
        code = str((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (at, code) VALUES (?, ?)", (now, code))
        conn.execute("COMMIT")
    conn.close()
    return (time.perf_counter() - start) / rounds


def measure(
    path: Path, pairs: list[tuple[str, bytes]], rounds: int, *, right: bool, server: bool = False
) -> float:
    """Seconds per verification: one-shot (Test User, ``users test``) or through a long-lived
    ``Verifier`` as the RADIUS server keeps (its log rows handed to a batch writer)."""
    db = open_database(path)
    sample = random.Random(5).sample(pairs, rounds)
    later = 90 if server else 0  # three steps on: the one-shot run's codes are not replays
    verifier = Verifier(db, record=lambda _row: None, settings_ttl=5, group_commit=True)
    start = time.perf_counter()
    for username, seed in sample:
        now = time.time() + later
        code = code_at(seed, step_at(now, 30)) if right else "000000"
        request = AuthRequest(username, code, application="bench")
        result = verifier.verify(request, now=now) if server else verify(db, request, now=now)
        assert result.ok == right or not right, result
    elapsed = (time.perf_counter() - start) / rounds
    verifier.close()
    db.dispose()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "users.db"
        made = make_users(args.users, data)
        began = time.perf_counter()
        pairs = add_tokens(data)
        print(
            f"{args.users:,} users in {made:.1f} s, tokens in {time.perf_counter() - began:.1f} s"
        )
        base = baseline(folder, args.rounds)
        good = measure(data, pairs, args.rounds, right=True)
        bad = measure(data, pairs, args.rounds // 2, right=False)
        served = measure(data, pairs, args.rounds, right=True, server=True)
        base_again = baseline(folder, args.rounds)
    base = min(base, base_again)
    print(f"baseline (bare HMAC-SHA1 TOTP + one SQLite write): {base * 1000:.3f} ms")
    print(f"verification, right code:  {good * 1000:.3f} ms  ({good / base:.1f}x baseline)")
    print(f"verification, wrong code:  {bad * 1000:.3f} ms  ({bad / base:.1f}x baseline)")
    print(f"server's Verifier, right code: {served * 1000:.3f} ms  ({served / base:.1f}x baseline)")
    print(f"throughput, right codes: {1 / good:,.0f} verifications/s one-shot, "
          f"{1 / served:,.0f}/s through the server's Verifier (one thread)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
