"""Whose lease is it: a holder's process is gone when its pid no longer exists or now names a
process started at another time (pids are reused)."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from mfa_console.app import Services
from mfa_console.core import processes
from mfa_console.core.db.lease import Lease, LeaseHeldError, LeaseRow, lease_info

HOST = socket.gethostname()


def test_a_live_process_with_its_start_time_is_not_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = processes.start_time(child.pid)
        assert started
        assert not processes.gone(HOST, child.pid, started)
        assert processes.gone(HOST, child.pid, str(int(started) + 1))  # the pid was reused
        assert not processes.gone("another-host", child.pid, "1")  # not ours to judge
    finally:
        child.kill()
        child.wait()
    assert processes.gone(HOST, child.pid, started)


def _pretend_held_by(services: Services, pid: int, started: str) -> None:
    with services.db.write() as session:
        session.execute(update(LeaseRow).values(pid=pid, holder=f"{HOST}:{pid}:abcd1234:{started}"))


def test_a_lease_whose_pid_was_reused_is_taken_at_once(services: Services) -> None:
    Lease(services.db, "sync", timedelta(minutes=5)).acquire()
    init_start = processes.start_time(1) or ""
    _pretend_held_by(services, 1, init_start)  # pid 1, really started then: held
    with pytest.raises(LeaseHeldError, match="already running"):
        Lease(services.db, "sync", timedelta(minutes=5)).acquire()
    _pretend_held_by(services, 1, "999")  # pid 1 now, but the holder started at another time
    info = lease_info(services.db, "sync")
    assert info is not None and not info.alive
    Lease(services.db, "sync", timedelta(minutes=5)).acquire()  # no wait for the expiry
