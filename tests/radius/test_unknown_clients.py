"""Floods of dropped requests (from addresses that are not clients, or from a client with the
wrong shared secret): every request counted, but the logs get the first drop and then one
summary a minute per address and reason (real radclient and pyrad packets; the strangers send
from a second loopback address)."""

from __future__ import annotations

import logging
import socket
import subprocess

import pytest
from pyrad import packet as rp
from sqlalchemy import select

from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.radius import drops
from mfa_console.core.radius.drops import Drops
from tests.radius.conftest import SECRET, RadiusEnv
from tests.radius.pyradclient import access_request, ask

STRANGER = "127.0.0.2"  # loopback, but not a client: the clients are 127.0.0.1 only
CHUNK = 50  # sent at once, then a known client's request: fits the socket's receive buffer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _dropped_rows(radius: RadiusEnv) -> list[tuple[str, str]]:
    if radius.auth_log is not None:  # (a stopped server wrote everything)
        radius.auth_log.flush()
    with radius.services.db.read() as session:
        rows = session.execute(
            select(AuthLogRow.client_ip, AuthLogRow.reason)
            .where(AuthLogRow.result == "RADIUS_REQUEST_DROPPED")
            .order_by(AuthLogRow.at, AuthLogRow.id)
        ).all()
    return [(row.client_ip, row.reason) for row in rows]


def _radclient(port: int, source: str) -> None:
    """One request from ``source`` with radclient; no answer comes."""
    done = subprocess.run(
        ["radclient", "-x", "-t", "1", "-r", "1", f"127.0.0.1:{port}", "auth", SECRET],
        input=f"User-Name=mallory,User-Password=x,Packet-Src-IP-Address={source}\n",
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert f"from {source}:" in done.stdout and "No reply" in done.stderr + done.stdout, done


def _pyrad_flood(port: int, source: str, count: int, secret: str = SECRET) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        for _ in range(count):
            request = access_request(secret, "mallory", "x")
            sock.sendto(request.RequestPacket(), ("127.0.0.1", port))


def _barrier(radius: RadiusEnv) -> None:
    """A known client's request answered: every datagram queued before it was dispatched."""
    reply = ask(radius.auth_port, access_request(SECRET, "bob", "x"))
    assert reply is not None and reply.code == rp.AccessReject


def test_a_flood_from_an_unknown_address_writes_two_log_rows(
    radius: RadiusEnv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="mfa_console.radius")
    radius.add_client("127.0.0.1")
    radius.start()
    assert radius.runner is not None
    clock = radius.runner.drops.clock = Clock()

    _radclient(radius.auth_port, STRANGER)
    for size in (CHUNK, CHUNK, CHUNK, CHUNK - 1):
        _pyrad_flood(radius.auth_port, STRANGER, size)
        _barrier(radius)
    assert radius.runner.counts.last_hour()["dropped"] == 200  # every request counted
    assert _dropped_rows(radius) == [(STRANGER, "not a RADIUS client of this server")]

    clock.now += 61  # the minute is over: the next tick writes the summary
    radius.start()
    rows = _dropped_rows(radius)
    assert rows[1:] == [(STRANGER, f"199 more requests from {STRANGER} dropped in the last minute")]

    _pyrad_flood(radius.auth_port, "127.0.0.3", 1)  # another address: its own first row
    _pyrad_flood(radius.auth_port, STRANGER, 5)  # within the new minute: counted only
    _barrier(radius)
    assert _dropped_rows(radius)[2:] == [("127.0.0.3", "not a RADIUS client of this server")]
    radius.stop()  # a stopping server writes what it still counted
    assert _dropped_rows(radius)[3:] == [
        (STRANGER, f"5 more requests from {STRANGER} dropped in the last minute")
    ]
    logged = [r.getMessage() for r in caplog.records if STRANGER in r.getMessage()]
    assert len(logged) == 3, logged  # first, summary, and the summary at the stop
    assert logged[1] == f"RADIUS: 199 more requests from {STRANGER} dropped in the last minute."


def test_a_client_flooding_with_the_wrong_secret_writes_two_log_rows(radius: RadiusEnv) -> None:
    radius.add_client("127.0.0.1")
    radius.start()
    assert radius.runner is not None
    clock = radius.runner.drops.clock = Clock()
    why = "wrong shared secret (the Message-Authenticator does not match)"

    for _ in range(3):
        _pyrad_flood(radius.auth_port, "127.0.0.1", CHUNK, secret="not-the-secret")
        _barrier(radius)
    assert radius.runner.counts.last_hour()["dropped"] == 3 * CHUNK
    assert _dropped_rows(radius) == [("127.0.0.1", why)]

    clock.now += 61
    radius.start()  # a tick: the summary
    summary = f"{3 * CHUNK - 1} more requests from 127.0.0.1 dropped in the last minute: {why}"
    assert _dropped_rows(radius)[1:] == [("127.0.0.1", summary)]


def test_rate_limit_per_address_and_bounded() -> None:
    clock = Clock()
    limiter = Drops(clock)
    assert limiter.note("10.0.0.1") == drops.FIRST_REASON
    assert limiter.note("10.0.0.1") is None
    clock.now += 30
    assert limiter.due() == []  # the minute is not over
    clock.now += 31
    assert limiter.note("10.0.0.1") == "2 more requests from 10.0.0.1 dropped in the last minute"
    assert limiter.due() == []
    clock.now += 61
    assert limiter.due() == [] and len(limiter) == 0  # quiet for a minute: forgotten
    assert limiter.note("10.0.0.1") == drops.FIRST_REASON  # so logged in full again

    for n in range(drops.MAX_SOURCES - 1):  # 10.0.0.1 is one
        limiter.note(f"10.1.{n // 250}.{n % 250}")
    assert limiter.note("10.9.9.9") is None  # too many sources: shared, counted
    assert limiter.note("10.9.9.8") is None
    assert (drops.OTHERS, "2 more requests from other addresses dropped in the last minute") in (
        limiter.due(everything=True)
    )


def test_each_reason_of_a_source_has_its_own_summary() -> None:
    clock = Clock()
    limiter = Drops(clock)
    assert limiter.note("10.0.0.1", "malformed packet") == "malformed packet"
    assert limiter.note("10.0.0.1", "malformed packet") is None
    assert limiter.note("10.0.0.1") == drops.FIRST_REASON  # another reason: logged in full
    clock.now += 61
    assert sorted(limiter.due()) == [
        ("10.0.0.1", "1 more request from 10.0.0.1 dropped in the last minute: malformed packet")
    ]
