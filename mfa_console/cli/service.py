"""`mfa-console service`: run the schedule headless in the foreground (systemd, Windows service).

Logs go to stderr (the journal under systemd) and to service.log in the log folder. SIGTERM and
SIGINT stop it cleanly: a running sync stops between batches and the heartbeat is released.
Secrets come from the unit's systemd credentials when it provides them, else the OS keyring.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from logging.handlers import RotatingFileHandler
from typing import Any

from mfa_console.app import Services
from mfa_console.core import paths
from mfa_console.core.service.credentials import CredentialSecretStore, credentials_directory
from mfa_console.core.service.loop import ServiceLoop


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
    parser.set_defaults(func=cmd_service)


def cmd_service(args: argparse.Namespace, services: Services) -> int:
    _setup_logging()
    directory = credentials_directory()
    if directory is not None:
        services.secrets = CredentialSecretStore(services.db.install_id(), directory)
        logging.getLogger("mfa_console.service").info("Secrets: systemd credentials first.")
    loop = ServiceLoop(services, tick=max(args.tick, 0.05))

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger("mfa_console.service").info("Stopping (signal %d).", signum)
        loop.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    loop.run(once=args.once)
    return 0


def _setup_logging() -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(fmt)
    root.addHandler(stream)
    try:
        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(folder / "service.log", maxBytes=5_000_000, backupCount=3)
    except OSError as exc:
        logging.getLogger("mfa_console.service").warning("No log file: %s", exc)
        return
    handler.setFormatter(fmt)
    root.addHandler(handler)
