"""``mfa-console activation``: status, activate, deactivate. Never prints the token or password."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.activation.errors import CertificateNotTrustedError, ServiceUnreachableError
from mfa_console.core.activation.protocol import ROLES
from mfa_console.core.activation.service import ActivationStatus
from mfa_console.core.activation.settings import ActivationServiceSettings
from mfa_console.core.errors import ConsoleError


def register(sub: Any) -> None:
    parser = sub.add_parser("activation", help="activate this server, show or end its activation")
    commands = parser.add_subparsers(dest="activation_command", metavar="COMMAND", required=True)

    status = commands.add_parser("status", help="show whether this server is activated")
    add_json_flag(status)
    status.set_defaults(func=_status)

    activate = commands.add_parser("activate", help="activate with one-time credentials")
    activate.add_argument("--email", required=True, help="the Email of the credentials")
    activate.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the Password from standard input (never from the command line)",
    )
    activate.add_argument("--service", metavar="URL", help="activation service URL (saved)")
    activate.add_argument("--ca-file", metavar="FILE", help="CA certificate file (saved)")
    activate.add_argument("--server-name", default="", help="this server's name (default: host)")
    group = activate.add_mutually_exclusive_group()
    group.add_argument(
        "--new-group", action="store_true", help="create a new replication group (master)"
    )
    group.add_argument(
        "--join-group",
        nargs="?",
        const="",
        metavar="GROUP",
        help="join an existing group by id or name (subordinate); alone: the only group",
    )
    add_json_flag(activate)
    activate.set_defaults(func=_activate)

    deactivate = commands.add_parser("deactivate", help="end this server's activation")
    deactivate.add_argument(
        "--local-only",
        action="store_true",
        help="forget the activation here without telling the service (service unreachable)",
    )
    deactivate.set_defaults(func=_deactivate)


def _status(args: argparse.Namespace, services: Services) -> int:
    status = services.activation.status()
    if args.json:
        print_json(status.as_dict())
    else:
        print(_describe(status))
    return 0


def _describe(status: ActivationStatus) -> str:
    if not status.activated:
        return "Not activated. The console works unactivated; activate with 'activation activate'."
    when = status.activated_at.strftime("%Y-%m-%d %H:%M UTC") if status.activated_at else ""
    return "\n".join(
        [
            "Activated",
            f"Account:      {status.account}",
            f"Group:        {status.group_name} ({status.group_id})",
            f"Role:         {ROLES.get(status.role, status.role)}",
            f"Server name:  {status.server_name}",
            f"Activated at: {when}",
            f"Service:      {status.service_url}",
        ]
    )


def _activate(args: argparse.Namespace, services: Services) -> int:
    password = sys.stdin.readline().strip()
    activation = services.activation
    if args.service or args.ca_file:
        current = activation.service_settings()
        activation.save_service_settings(
            ActivationServiceSettings(
                url=args.service or current.url,
                ca_file=current.ca_file if args.ca_file is None else args.ca_file,
            )
        )
    join = _group_choice(args, services, password)
    status = activation.activate(
        args.email, password, join_group=join, server_name=args.server_name
    )
    if args.json:
        print_json(status.as_dict())
    else:
        print(_describe(status))
    return 0


def _group_choice(args: argparse.Namespace, services: Services, password: str) -> str | None:
    """The group to join, or None for a new group, as the flags (or the account) decide."""
    if args.new_group:
        return None
    if args.join_group:
        return str(args.join_group)
    groups = services.activation.check_credentials(args.email, password).groups
    names = ", ".join(f"{g.name} ({g.id})" for g in groups)
    if args.join_group is None:
        if not groups:
            return None
        raise ConsoleError(
            f"The account has replication groups: {names}.",
            hint="Choose --new-group or --join-group GROUP.",
        )
    if len(groups) == 1:
        return groups[0].id
    if not groups:
        raise ConsoleError("The account has no replication group to join.", hint="Use --new-group.")
    raise ConsoleError(
        f"The account has several replication groups: {names}.",
        hint="Name one: --join-group GROUP.",
    )


def _deactivate(args: argparse.Namespace, services: Services) -> int:
    try:
        services.activation.deactivate(local_only=args.local_only)
    except (ServiceUnreachableError, CertificateNotTrustedError) as exc:
        raise ConsoleError(
            exc.message, hint=f"{exc.hint} Or forget the activation here only: --local-only."
        ) from None
    print("Deactivated. The console keeps working unactivated.")
    return 0
