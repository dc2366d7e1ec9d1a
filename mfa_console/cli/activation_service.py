"""``mfa-console activation-service``: run the activation service, generate credentials.

These commands run on the activation service's host and never open a console data file.
"""

from __future__ import annotations

import argparse
import logging
import ssl
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core import paths
from mfa_console.core.activation.protocol import CREDENTIAL_TTL_SECONDS
from mfa_console.core.activation.server.http import make_server
from mfa_console.core.activation.server.store import ActivationStore
from mfa_console.core.errors import ConsoleError

STATE_FILE_NAME = "activation-service.db"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "activation-service", help="the activation service (runs on the activation host)"
    )
    commands = parser.add_subparsers(dest="service_command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="serve the activation API over HTTPS")
    serve.add_argument("--cert", required=True, metavar="FILE", help="TLS certificate (PEM)")
    serve.add_argument("--key", required=True, metavar="FILE", help="TLS private key (PEM)")
    serve.add_argument("--listen", default="0.0.0.0:8443", metavar="HOST:PORT")
    _add_state(serve)
    serve.set_defaults(func=_serve, without_data=True)

    generate = commands.add_parser(
        "generate-credentials", help="Generate Activation Credentials (one-time, 10 minutes)"
    )
    generate.add_argument("--email", required=True, metavar="ADDR")
    generate.add_argument("--account", default="", help="account name (default: email domain)")
    _add_state(generate)
    add_json_flag(generate)
    generate.set_defaults(func=_generate, without_data=True)


def _add_state(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        metavar="FILE",
        help=f"the service's store (default: {STATE_FILE_NAME} in the user data folder)",
    )


def _store(args: argparse.Namespace) -> ActivationStore:
    path = Path(args.state) if args.state else paths.user_data_dir() / STATE_FILE_NAME
    try:
        return ActivationStore(path)
    except OSError as exc:
        raise ConsoleError(f"Cannot open the service's store {path}: {exc.strerror}.") from None


def _serve(args: argparse.Namespace, _services: None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        server = make_server(args.listen, args.cert, args.key, _store(args))
    except ValueError as exc:
        raise ConsoleError(str(exc)) from None
    except (OSError, ssl.SSLError) as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise ConsoleError(
            f"Cannot start the activation service on {args.listen}: {exc.strerror or exc}{where}.",
            hint="Check that --cert and --key name a readable PEM certificate and its private "
            "key, and that the port is free.",
        ) from None
    print(f"Activation service listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def _generate(args: argparse.Namespace, _services: None) -> int:
    try:
        made = _store(args).generate(args.email, args.account)
    except ValueError as exc:
        raise ConsoleError(str(exc), hint="Pass the administrator's email address.") from None
    until = datetime.fromtimestamp(made.expires_at, UTC)
    if args.json:
        print_json(
            {
                "email": made.email,
                "password": made.password,
                "account": made.account,
                "expires_at": until.isoformat(timespec="seconds"),
            }
        )
        return 0
    minutes = CREDENTIAL_TTL_SECONDS // 60
    print(f"Activation credentials for account {made.account}")
    print(f"Email:    {made.email}")
    print(f"Password: {made.password}")
    print(
        f"Valid once, for {minutes} minutes (until {until:%H:%M} UTC). Enter them on the "
        "console's Activation pane, or pipe the Password to 'activation activate'.",
        file=sys.stderr,
    )
    return 0
