"""A client retransmits while the directory is still answering: the first answer is sent again,
the code is checked (and consumed) once."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from dataclasses import replace

import pytest
from pyrad import packet as rp
from sqlalchemy import select

from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.radius.server import STALE_SECONDS
from tests.radius.conftest import SECRET, RadiusEnv, add_console_user, ldap_person
from tests.radius.pyradclient import access_request
from tests.services.delay_proxy import DelayProxy
from tests.services.slapd import SlapdServer


def test_retransmission_during_a_slow_bind_is_answered_once(
    ldap_radius: RadiusEnv, slapd: SlapdServer
) -> None:
    uid = ldap_person(slapd, "Pw-of-jo1")
    totp = add_console_user(ldap_radius.services, uid)
    assert totp is not None
    proxy = DelayProxy(slapd.port, delay=0.4).start()
    settings = ldap_radius.services.settings.load(DirectorySettings)
    ldap_radius.services.settings.save(
        replace(settings, servers=(f"ldap://localhost:{proxy.port}",))
    )
    ldap_radius.add_client(append_code=True)
    ldap_radius.start()
    request = access_request(SECRET, uid, "Pw-of-jo1" + totp.now())
    raw = request.RequestPacket()
    replies: list[bytes] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("127.0.0.1", ldap_radius.auth_port))
            started = time.monotonic()
            sock.send(raw)
            time.sleep(0.3)
            sock.send(raw)  # the same request again, while the bind is slow
            sock.settimeout(15)
            replies.append(sock.recv(4096))
            slow = time.monotonic() - started
            sock.settimeout(1.5)
            with contextlib.suppress(TimeoutError):
                replies.append(sock.recv(4096))  # a second answer would come now
            sock.send(raw)  # once more, after the answer: from the cache
            sock.settimeout(5)
            replies.append(sock.recv(4096))
    finally:
        proxy.stop()
    assert slow > 1.0  # the bind really was slow, the repeat came during it
    assert len(replies) == 2 and replies[0] == replies[1]
    reply = request.CreateReply(packet=replies[0])
    assert request.VerifyReply(reply, replies[0], enforce_ma=True)
    assert reply.code == rp.AccessAccept
    assert ldap_radius.auth_log is not None
    ldap_radius.auth_log.flush()
    with ldap_radius.services.db.read() as session:
        results = session.scalars(select(AuthLogRow.result).where(AuthLogRow.username == uid))
        assert list(results) == ["OATH_CODE_VERIFIED"]


def test_a_request_that_waited_too_long_for_a_worker_is_dropped_and_reported_once(
    ldap_radius: RadiusEnv, slapd: SlapdServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Overload: with one worker busy on a very slow bind, the requests behind it wait longer
    than a client does; they are dropped (counted, one log line) instead of answered late."""
    caplog.set_level(logging.WARNING, logger="mfa_console.radius")
    uid = ldap_person(slapd, "Pw-of-jo2")
    totp = add_console_user(ldap_radius.services, uid)
    assert totp is not None
    proxy = DelayProxy(slapd.port, delay=STALE_SECONDS / 4).start()  # binds take a few trips
    settings = ldap_radius.services.settings.load(DirectorySettings)
    ldap_radius.services.settings.save(
        replace(settings, servers=(f"ldap://localhost:{proxy.port}",))
    )
    ldap_radius.add_client(append_code=True)
    ldap_radius.start(workers=1)
    first = access_request(SECRET, uid, "Pw-of-jo2" + totp.now())
    behind = [access_request(SECRET, f"waiting{i}", "pw-123456") for i in range(3)]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("127.0.0.1", ldap_radius.auth_port))
            for request in (first, *behind):
                sock.send(request.RequestPacket())
            sock.settimeout(60)
            answer = sock.recv(4096)
            sock.settimeout(STALE_SECONDS)
            with contextlib.suppress(TimeoutError):
                answer = sock.recv(4096)
                raise AssertionError("a request that waited too long was answered")
    finally:
        proxy.stop()
    reply = first.CreateReply(packet=answer)
    assert reply.code == rp.AccessAccept  # the slow one itself is answered
    assert ldap_radius.runner is not None
    assert ldap_radius.runner.counts.last_hour().get("dropped-overload") == 3
    overloaded = [r.getMessage() for r in caplog.records if "overloaded" in r.getMessage()]
    assert len(overloaded) == 1, overloaded  # the first drop; the next ones wait for a minute
