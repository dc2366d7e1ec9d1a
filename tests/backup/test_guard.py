"""Other writers wait for a restore; a restore holder that died does not block anyone."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from mfa_console.app import Services
from mfa_console.core import processes
from mfa_console.core.backup import RestoreInProgressError, ensure_not_restoring
from mfa_console.core.backup.guard import clear_dead_lease, restore_in_progress
from mfa_console.core.db.lease import Lease, LeaseRow


def test_writers_are_told_to_wait_during_a_restore(services: Services) -> None:
    ensure_not_restoring(services.db)
    with Lease(services.db, "restore", timedelta(minutes=5)):
        # The holder is this very process: pretend it is another one on this machine (pid 1,
        # with its real start time: a pid alone could have been reused).
        holder = f"{socket.gethostname()}:1:abcd1234:{processes.start_time(1)}"
        with services.db.write() as session:
            session.execute(update(LeaseRow).values(pid=1, holder=holder))
        assert restore_in_progress(services.db)
        with pytest.raises(RestoreInProgressError, match="being restored"):
            ensure_not_restoring(services.db)


def test_a_dead_restore_holder_is_cleared(services: Services) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    Lease(services.db, "restore", timedelta(minutes=5)).acquire()
    with services.db.write() as session:
        session.execute(update(LeaseRow).values(pid=int(finished.stdout)))
    assert not restore_in_progress(services.db)
    ensure_not_restoring(services.db)
    assert clear_dead_lease(services.db, "restore")
