"""Bench: 2,000 enrollment emails through aiosmtpd (STARTTLS + AUTH), outbox vs a bare smtplib loop.

The server runs in its own process. Both senders deliver the same rendered messages: the baseline
is one smtplib connection sending them in a loop; the outbox run is ``MailService.send_now()``
(one connection per batch, each message's state committed around its send). Runs alternate
(baseline, outbox) for ``--rounds`` rounds; prints each run, the medians and their ratio (target:
outbox >= 0.75x the baseline).

    dbus-run-session -- scripts/with-keyring.sh python bench/email_outbox.py [--count N]
"""

from __future__ import annotations

import argparse
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from mfa_console.app import open_services  # noqa: E402
from mfa_console.core.db.base import Base  # noqa: E402,F401
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow  # noqa: E402
from mfa_console.core.mail.settings import EmailSettings  # noqa: E402
from mfa_console.core.users.records import UserInput  # noqa: E402
from tests.mail.smtpd import LOGIN, PASSWORD  # noqa: E402


def start_server(folder: Path) -> tuple[subprocess.Popen[str], int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.mail.smtpd", str(folder)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port, ca_file = process.stdout.readline().split()
    return process, int(port), ca_file


def baseline(port: int, ca_file: str, messages: list[tuple[str, str, bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=ca_file))
        smtp.login(LOGIN, PASSWORD)
        for sender, recipient, raw in messages:
            smtp.sendmail(sender, [recipient], raw)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="alternate runs of each sender")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, port, ca_file = start_server(folder)
        try:
            run(folder, port, ca_file, args.count, args.rounds)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)


def run(folder: Path, port: int, ca_file: str, count: int, rounds: int) -> None:
    services = open_services(folder / "bench.db")
    settings = EmailSettings(
        server="127.0.0.1",
        port=port,
        security="starttls",
        verify="ca-file",
        ca_file=ca_file,
        username=LOGIN,
        from_address="mfa@example.com",
        from_name="MFA Help Desk",
        send_to_users=True,
        portal_url="https://mfa.example.com/portal",
    )
    services.mail.save_settings(settings, PASSWORD)
    ids = [
        services.users.add(
            UserInput(username=f"user{i:05d}@example.com", first_name="Bench", phone="425-555-0100")
        ).id
        for i in range(count)
    ]
    base_rates, outbox_rates, queue_rates = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        queued = services.mail.queue_users(ids, "new")
        queue_rates.append(count / (time.perf_counter() - start))
        with services.db.read() as session:
            query = (
                select(OutboxRow.sender, OutboxRow.recipient, OutboxBodyRow.content)
                .join(OutboxBodyRow, OutboxBodyRow.outbox_id == OutboxRow.id)
                .where(OutboxRow.id.in_(queued))
            )
            messages = [(s, r, bytes(c)) for s, r, c in session.execute(query)]
        base_rates.append(count / baseline(port, ca_file, messages))
        start = time.perf_counter()
        report = services.mail.send_now()
        outbox_rates.append(count / (time.perf_counter() - start))
        assert report.sent == count, report
    services.close()
    base, outbox = statistics.median(base_rates), statistics.median(outbox_rates)
    print(f"messages per run:        {count} (STARTTLS + AUTH, server in its own process)")
    print(f"rounds (median shown):   {rounds}")
    print(f"queue (render + commit): {statistics.median(queue_rates):8.0f} msg/s")
    print(f"bare smtplib loop:       {base:8.0f} msg/s  runs: {_rates(base_rates)}")
    print(f"outbox delivery:         {outbox:8.0f} msg/s  runs: {_rates(outbox_rates)}")
    pairs = [o / b for o, b in zip(outbox_rates, base_rates, strict=True)]
    print(f"ratio outbox / bare:     {outbox / base:8.2f}x of the medians (target >= 0.75x)")
    print(f"ratio per round:         {statistics.median(pairs):8.2f}x median of {_rates2(pairs)}")


def _rates2(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _rates(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    main()
