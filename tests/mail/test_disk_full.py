"""The outbox on a disk that fills up in the middle of a batch: a one-line message naming the
data file, no message delivered twice, none lost, and sending resumes once space is freed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from mfa_console.app import open_services
from mfa_console.core.mail import queue_for_user
from mfa_console.core.mail.models import OutboxRow
from tests.faults.small_disk import mount_small_disk
from tests.mail.conftest import add_user, configure
from tests.mail.smtpd import SmtpServer

COUNT = 12


def _send(data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mfa_console", "--data", str(data), "email", "send"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_disk_fills_up_during_a_batch(tmp_path: Path, smtpd: SmtpServer) -> None:
    with mount_small_disk(tmp_path / "disk", "16m") as disk:
        data = disk.root / "console.db"
        services = open_services(data)
        try:
            configure(services, smtpd)
            ids = [add_user(services, f"f{i:02d}") for i in range(COUNT)]
            with services.db.write() as session:
                for user_id in ids:
                    queue_for_user(session, user_id, "new")
        finally:
            services.close()
        capture = smtpd.capture

        def fill_after_the_fourth(count: int) -> None:
            if count == 4:
                disk.fill()

        capture.on_data = fill_after_the_fourth
        done = _send(data)
        capture.on_data = None
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        reason = [line for line in done.stderr.splitlines() if line.startswith("mfa-console:")]
        assert len(reason) == 1 and "The disk is full" in reason[0] and str(data) in reason[0]
        disk.free()
        again = _send(data)
        assert again.returncode == 0, again.stderr
        delivered = capture.message_ids()
        assert len(delivered) == len(set(delivered)), "a message was delivered twice"
        services = open_services(data)
        try:
            with services.db.read() as session:
                rows = session.scalars(select(OutboxRow)).all()
        finally:
            services.close()
        assert {row.message_id for row in rows} == set(delivered), "a message was lost"
        assert {row.state for row in rows} <= {"sent", "unconfirmed"}
