"""A worker killed (SIGKILL) in the middle of a batch: no message delivered twice, none lost.

The SMTP server's own hooks kill the sending process at the worst moments: once while the server
handles RCPT (that message is still "queued": its body never left, so it is sent later; the one
delivered just before still reads "sending") and once right after the server accepted a message
body (that row is "sending"). Rows left in "sending" were delivered: they become "unconfirmed" and
are never sent again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.core.mail import queue_for_user
from mfa_console.core.mail.models import OutboxRow
from tests.mail.smtpd import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
COUNT = 12


def _send_process(data_file: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "mfa_console", "--data", str(data_file), "email", "send"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _killer(process: subprocess.Popen[bytes], at: int):  # type: ignore[no-untyped-def]
    def hook(count: int) -> None:
        if count == at and process.poll() is None:
            process.kill()
            process.wait()

    return hook


def test_sigkill_mid_batch_delivers_each_message_once(
    mail_services: Services, smtpd: SmtpServer, data_file: Path
) -> None:
    from tests.mail.conftest import add_user

    ids = [add_user(mail_services, f"k{i:02d}") for i in range(COUNT)]
    with mail_services.db.write() as session:
        for user_id in ids:
            queue_for_user(session, user_id, "new")
    capture = smtpd.capture

    first = _send_process(data_file)
    capture.on_rcpt = _killer(first, at=4)  # killed while the 4th message is in RCPT
    first.wait(timeout=60)
    assert first.returncode == -9
    assert len(capture.received) == 3

    capture.rcpt_count = capture.count = 0
    second = _send_process(data_file)
    capture.on_rcpt = None
    capture.on_data = _killer(second, at=6)  # killed right after the 6th body was accepted
    second.wait(timeout=60)
    assert second.returncode == -9
    capture.on_data = None

    third = _send_process(data_file)
    _out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err.decode()

    delivered = capture.message_ids()
    assert len(delivered) == len(set(delivered)), "a message was delivered twice"
    with mail_services.db.read() as session:
        rows = session.scalars(select(OutboxRow)).all()
    assert {row.message_id for row in rows} == set(delivered), "a message was lost"
    states = sorted(row.state for row in rows)
    assert states == ["sent"] * (COUNT - 2) + ["unconfirmed"] * 2
    unconfirmed = {row.message_id for row in rows if row.state == "unconfirmed"}
    # The 3rd body of the first run and the 6th of the second: delivered, not sent again.
    assert unconfirmed == {delivered[2], delivered[3 + 5]}
    assert all("probably delivered" in row.last_error for row in rows if row.state != "sent")
