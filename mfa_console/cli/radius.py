"""``mfa-console radius``: RADIUS Authentication settings, clients, upstream servers, status."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json, print_table
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.config import RadiusClient, RadiusTarget
from mfa_console.core.radius.settings import TARGETS


def register(sub: Any) -> None:
    parser = sub.add_parser("radius", help="RADIUS server: settings, clients, targets, status")
    commands = parser.add_subparsers(dest="radius_command", metavar="ACTION", required=True)
    _register_configure(commands)
    _register_clients(commands)
    _register_targets(commands)
    status = commands.add_parser("status", help="listening or not, and the last hour's counts")
    add_json_flag(status)
    status.set_defaults(func=_status)


def _register_configure(commands: Any) -> None:
    conf = commands.add_parser("configure", help="enable, ports, listening addresses, target")
    switch = conf.add_mutually_exclusive_group()
    switch.add_argument("--enable", dest="enabled", action="store_true", default=None)
    switch.add_argument("--disable", dest="enabled", action="store_false")
    conf.add_argument("--auth-port", type=int, metavar="N", help="default 1812")
    conf.add_argument("--accounting-port", type=int, metavar="N", help="default 1813")
    conf.add_argument("--target", choices=list(TARGETS), help="where the password is checked")
    conf.add_argument(
        "--listen",
        action="append",
        metavar="ADDRESS",
        help="listen on this address only (repeat for several; default: all IPv4 addresses)",
    )
    conf.add_argument("--challenge-seconds", type=int, metavar="S", help="time to answer (120)")
    conf.add_argument("--challenge-attempts", type=int, metavar="N", help="codes per challenge (3)")
    conf.set_defaults(func=_configure)


def _register_clients(commands: Any) -> None:
    client = commands.add_parser("client", help="RADIUS clients (VPNs, gateways)")
    actions = client.add_subparsers(dest="client_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a client (an address or a subnet)")
    add.add_argument("address", metavar="ADDRESS", help="10.0.0.5 or 10.0.0.0/24")
    add.add_argument("--name", required=True, help="the application name shown in the log")
    add.add_argument(
        "--secret-stdin",
        action="store_true",
        required=True,
        help="read the shared secret from standard input",
    )
    add.add_argument(
        "--require-user-match", action="store_true", help="reject users the console does not know"
    )
    add.add_argument(
        "--fallback-oath",
        action="store_true",
        help="accept an OATH code from users whose method needs the cloud",
    )
    add.add_argument(
        "--append-code",
        action="store_true",
        help="the code follows the password (for clients without challenges)",
    )
    add.add_argument(
        "--no-message-authenticator",
        action="store_true",
        help="accept requests without Message-Authenticator (BlastRADIUS risk)",
    )
    add.set_defaults(func=_client_add)
    listing = actions.add_parser("list", help="list the clients")
    add_json_flag(listing)
    listing.set_defaults(func=_client_list)
    remove = actions.add_parser("remove", help="remove a client")
    remove.add_argument("address", metavar="ADDRESS")
    remove.set_defaults(func=_client_remove)


def _register_targets(commands: Any) -> None:
    target = commands.add_parser("target", help="upstream RADIUS servers, tried in order")
    actions = target.add_subparsers(dest="target_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an upstream server at the end of the list")
    add.add_argument("host", metavar="HOST")
    add.add_argument("--port", type=int, default=1812, metavar="N", help="default 1812")
    add.add_argument("--accounting-port", type=int, default=1813, metavar="N")
    add.add_argument("--timeout", type=int, default=5, metavar="S", help="seconds per try (5)")
    add.add_argument(
        "--secret-stdin",
        action="store_true",
        required=True,
        help="read the shared secret from standard input",
    )
    add.set_defaults(func=_target_add)
    listing = actions.add_parser("list", help="list the upstream servers in order")
    add_json_flag(listing)
    listing.set_defaults(func=_target_list)
    remove = actions.add_parser("remove", help="remove an upstream server")
    remove.add_argument("host", metavar="HOST[:PORT]")
    remove.set_defaults(func=_target_remove)


def _configure(args: argparse.Namespace, services: Services) -> int:
    current = services.radius.settings()
    changes = {
        "enabled": args.enabled,
        "auth_port": args.auth_port,
        "acct_port": args.accounting_port,
        "target": args.target,
        "listen_addresses": tuple(args.listen) if args.listen else None,
        "challenge_seconds": args.challenge_seconds,
        "challenge_attempts": args.challenge_attempts,
    }
    updated = dataclasses.replace(current, **{k: v for k, v in changes.items() if v is not None})
    services.radius.save_settings(updated)
    state = "enabled" if updated.enabled else "disabled"
    print(
        f"RADIUS authentication {state}: ports {updated.auth_port}/{updated.acct_port}, "
        f"target {TARGETS[updated.target]}, listening on {', '.join(updated.addresses())}."
    )
    if updated.target == "radius" and not services.radius.config.targets():
        print(
            "mfa-console: no upstream server yet: add one with `radius target add`.",
            file=sys.stderr,
        )
    return 0


def _secret_from_stdin() -> str:
    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise ConsoleError("No shared secret was given on standard input.")
    return secret


def _client_add(args: argparse.Namespace, services: Services) -> int:
    client = RadiusClient(
        args.address,
        args.name,
        require_user_match=args.require_user_match,
        fallback_oath=args.fallback_oath,
        append_code=args.append_code,
        message_authenticator=not args.no_message_authenticator,
    )
    saved = services.radius.config.save_client(client, _secret_from_stdin())
    print(f"RADIUS client {saved.address} ({saved.name or 'no name'}) added.")
    if not saved.message_authenticator:
        print(_MA_WARNING.format(saved.address), file=sys.stderr)
    return 0


_MA_WARNING = (
    "mfa-console: warning: {} may send requests without Message-Authenticator: its replies can "
    "be forged (BlastRADIUS, CVE-2024-3596). Update the client and require it again."
)


def _client_list(args: argparse.Namespace, services: Services) -> int:
    clients = services.radius.config.clients()
    if args.json:
        print_json([dataclasses.asdict(c) for c in clients])
        return 0
    print_table(
        (
            (
                c.address,
                c.name,
                _yes(c.require_user_match),
                _yes(c.fallback_oath),
                "appended" if c.append_code else "challenge",
                "required" if c.message_authenticator else "NOT REQUIRED",
            )
            for c in clients
        ),
        ["ADDRESS", "NAME", "USER MATCH", "FALLBACK OATH", "CODE", "MESSAGE-AUTHENTICATOR"],
    )
    return 0


def _client_remove(args: argparse.Namespace, services: Services) -> int:
    services.radius.config.remove_client(args.address)
    print(f"RADIUS client {args.address} removed.")
    return 0


def _target_add(args: argparse.Namespace, services: Services) -> int:
    target = RadiusTarget(args.host, args.port, args.accounting_port, args.timeout)
    saved = services.radius.config.add_target(target, _secret_from_stdin())
    print(f"Upstream RADIUS server {saved.key} added (tried after the ones before it).")
    if services.radius.settings().target != "radius":
        print(
            "mfa-console: the target is not RADIUS server(s): "
            "`radius configure --target radius` uses it.",
            file=sys.stderr,
        )
    return 0


def _target_list(args: argparse.Namespace, services: Services) -> int:
    targets = services.radius.config.targets()
    if args.json:
        print_json([dataclasses.asdict(t) for t in targets])
        return 0
    print_table(
        ((i, t.host, t.auth_port, t.acct_port, t.timeout) for i, t in enumerate(targets, 1)),
        ["ORDER", "HOST", "AUTH PORT", "ACCT PORT", "TIMEOUT"],
    )
    return 0


def _target_remove(args: argparse.Namespace, services: Services) -> int:
    services.radius.config.remove_target(args.host)
    print(f"Upstream RADIUS server {args.host} removed.")
    return 0


def _status(args: argparse.Namespace, services: Services) -> int:
    report = services.radius.report()
    if args.json:
        print_json(report.to_json())
        return 0
    for line in report.lines():
        print(line)
    for address in report.exempt_clients:
        print(_MA_WARNING.format(address), file=sys.stderr)
    return 0


def _yes(value: bool) -> str:
    return "yes" if value else "no"
