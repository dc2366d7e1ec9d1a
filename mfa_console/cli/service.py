"""`mfa-console service`: run the schedule headless in the foreground (systemd, Windows service).

Logs go to stderr (the journal under systemd) and to the rotated service log in the log folder.
SIGTERM and SIGINT stop it cleanly: a running sync stops between batches and the heartbeat is
released.
Secrets are sealed in the data file; the key that opens them (the data key) comes from the unit's
single systemd credential ``data-key`` when it provides one, else the OS keyring.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.core.service.credentials import credentials_directory
from mfa_console.core.service.loop import ServiceLoop

SWITCH_INTERVAL_S = 0.001


def register(sub: Any) -> None:
    parser = sub.add_parser("service", help="run scheduled synchronization (and jobs) headless")
    parser.add_argument("--once", action="store_true", help="run the jobs that are due, then exit")
    parser.add_argument(
        "--tick",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how often to check for due jobs (default 15)",
    )
    parser.set_defaults(func=cmd_service, log_kind="service")


def cmd_service(args: argparse.Namespace, services: Services) -> int:
    _log_to_stderr()
    # The RADIUS server's threads wait for the interpreter lock after every socket or database
    # call; while a sync computes, each wait lasts up to the switch interval (5 ms by default).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if credentials_directory() is not None:
        logging.getLogger("mfa_console.service").info("Data key: systemd credential first.")
    loop = ServiceLoop(services, tick=max(args.tick, 0.05))

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger("mfa_console.service").info("Stopping (signal %d).", signum)
        loop.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    loop.run(once=args.once)
    return 0


def _log_to_stderr() -> None:
    """The journal (systemd) reads stderr; the rotated service.log is set up by the CLI."""
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(stream)
