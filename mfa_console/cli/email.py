"""``mfa-console email``: configure the SMTP server, test it, look at and send the outbox."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json, print_table
from mfa_console.core.errors import ConsoleError
from mfa_console.core.mail.settings import DEFAULT_PORTS, SECURITY
from mfa_console.core.secrets import password_change


def register(sub: Any) -> None:
    parser = sub.add_parser("email", help="SMTP settings, test message, outbox")
    commands = parser.add_subparsers(dest="email_command", metavar="ACTION", required=True)
    _register_configure(commands)
    test = commands.add_parser("test", help="send a test message and show the SMTP conversation")
    test.add_argument("--to", required=True, metavar="ADDR", help="the recipient of the test")
    add_json_flag(test)
    test.set_defaults(func=_test)
    box = commands.add_parser("outbox", help="list queued, sent and failed messages")
    add_json_flag(box)
    box.set_defaults(func=_outbox)
    send = commands.add_parser("send", help="send every due message in the outbox now")
    add_json_flag(send)
    send.set_defaults(func=_send)


def _register_configure(commands: Any) -> None:
    conf = commands.add_parser("configure", help="set the SMTP server and sender")
    conf.add_argument("--server", required=True, metavar="HOST")
    conf.add_argument("--port", type=int, metavar="N", help="default: 587, 465 for ssl, 25 none")
    conf.add_argument("--security", choices=list(SECURITY), default="starttls")
    conf.add_argument("--ca-file", metavar="F", help="verify the server with this CA file")
    conf.add_argument("--username", metavar="U")
    conf.add_argument(
        "--password-stdin", action="store_true", help="read the SMTP password from standard input"
    )
    conf.add_argument("--from", dest="from_address", required=True, metavar="ADDR")
    conf.add_argument("--from-name", metavar="NAME")
    conf.add_argument("--timeout", type=int, metavar="S")
    conf.add_argument("--portal-url", metavar="URL", help="the User Portal URL for the emails")
    conf.add_argument(
        "--allow-plaintext-password",
        action="store_true",
        help="with --security none and --username: knowingly send the password unencrypted",
    )
    switch = conf.add_mutually_exclusive_group()
    switch.add_argument("--send-to-users", dest="send_to_users", action="store_true", default=None)
    switch.add_argument("--no-send-to-users", dest="send_to_users", action="store_false")
    conf.set_defaults(func=_configure)


def _configure(args: argparse.Namespace, services: Services) -> int:
    if args.password_stdin and not args.username:
        raise SystemExit("mfa-console: --password-stdin needs --username")
    current = services.mail.settings()
    changes: dict[str, Any] = {
        "server": args.server.strip(),
        "security": args.security,
        "port": args.port or DEFAULT_PORTS[args.security],
        "from_address": args.from_address.strip(),
        "username": (args.username or "").strip(),
        "verify": "ca-file" if args.ca_file else "system",
        "ca_file": args.ca_file or "",
        "allow_plaintext_password": args.allow_plaintext_password,
    }
    optional = {
        "from_name": args.from_name,
        "timeout": args.timeout,
        "portal_url": args.portal_url,
        "send_to_users": args.send_to_users,
    }
    changes |= {k: v for k, v in optional.items() if v is not None}
    typed = None
    if args.password_stdin:
        typed = sys.stdin.readline().rstrip("\r\n")
        if not typed:
            raise ConsoleError("No password was given on standard input.")
    # the form's rule: no account, nothing to keep in the keyring
    password = password_change(typed, needed=bool(changes["username"]))
    settings = dataclasses.replace(current, **changes)
    services.mail.save_settings(settings, password)
    if warning := settings.plaintext_warning():
        print(f"Warning: {warning}", file=sys.stderr)
    state = "on" if services.mail.settings().send_to_users else "off"
    print(f"Email settings saved ({args.server}, {args.security}); sending to users is {state}.")
    return 0


def _test(args: argparse.Namespace, services: Services) -> int:
    result = services.mail.test(args.to)
    if result.warning:
        print(f"Warning: {result.warning}", file=sys.stderr)
    if args.json:
        print_json(dataclasses.asdict(result))
    else:
        print(result.transcript)
        if result.ok:
            print(f"Test message to {args.to} accepted by the server.")
    if not result.ok:
        print(f"mfa-console: {result.error} {result.hint}".rstrip(), file=sys.stderr)
    return 0 if result.ok else 1


def _outbox(args: argparse.Namespace, services: Services) -> int:
    entries = services.mail.outbox()
    if args.json:
        print_json([entry.to_json() for entry in entries])
        return 0
    print_table(
        (
            (e.id, e.state, e.recipient, e.template, e.attempts, e.last_error or e.subject)
            for e in entries
        ),
        ["ID", "STATE", "RECIPIENT", "TEMPLATE", "TRIES", "SUBJECT / LAST ERROR"],
    )
    return 0


def _send(args: argparse.Namespace, services: Services) -> int:
    report = services.mail.send_now()
    if args.json:
        print_json(report.to_json())
    else:
        print(
            f"Sent {report.sent}, failed {report.failed}, waiting to retry {report.retrying}, "
            f"unconfirmed {report.unconfirmed}, held (sending to users is off) {report.held}."
        )
    if report.error:
        print(f"mfa-console: {report.error}", file=sys.stderr)
        return 1
    return 0
