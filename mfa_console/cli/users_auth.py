"""The second-factor actions of ``mfa-console users``: token, test, unblock."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.errors import ConsoleError


def register_actions(users: Any) -> None:
    token = users.add_parser("token", help="give a user a software or hardware OATH token")
    token.add_argument("username")
    kind = token.add_mutually_exclusive_group(required=True)
    kind.add_argument("--software", action="store_true", help="generate a new TOTP secret")
    kind.add_argument("--serial", metavar="SERIAL", help="assign this hardware token")
    token.add_argument("--show-secret", action="store_true",
                       help="(--software) print the secret and otpauth:// URI")  # fmt: skip
    token.add_argument("--replace", action="store_true", help="(--serial) replace the user's token")
    token.add_argument(
        "--email", action="store_true", help="(--software) email the QR code (sealed in the outbox)"
    )
    add_json_flag(token)
    token.set_defaults(func=_token)
    test = users.add_parser(
        "test", help="check a user's password (with RADIUS's target) and code, as a login would"
    )
    test.add_argument("username")
    test.add_argument(
        "--password-stdin",
        action="store_true",
        help="standard input holds the password, then the code (one per line); without it, "
        "only the code",
    )
    add_json_flag(test)
    test.set_defaults(func=_test)
    unblock = users.add_parser("unblock", help="end a user's lockout")
    unblock.add_argument("username")
    unblock.set_defaults(func=_unblock)


def _token(args: argparse.Namespace, services: Services) -> int:
    if args.serial:
        services.auth.assign(args.serial, args.username, replace=args.replace)
        print(f"{args.serial} assigned to {args.username}.")
        return 0
    secret = services.auth.generate_software(args.username, send_email=args.email)
    shown = {"serial": secret.serial, "username": secret.username}
    if args.show_secret:
        shown |= {"secret": secret.secret, "uri": secret.uri}
    if args.json:
        print_json(shown)
        return 0
    print(f"Software token {secret.serial} made for {secret.username}; it becomes active at its "
          "first valid code.")  # fmt: skip
    if args.show_secret:
        print(f"Secret: {secret.secret}\nURI: {secret.uri}")
    else:
        print("The secret is not shown (--show-secret); send it with the enrollment email or "
              "show its QR code in the console.")  # fmt: skip
    return 0


def _test(args: argparse.Namespace, services: Services) -> int:
    password, code = _password_and_code(args.password_stdin)
    target = services.auth.password_target()
    if target is not None and password is None:
        raise ConsoleError(
            f"RADIUS checks passwords with {target.description}: Test User needs the password.",
            hint="Add --password-stdin and give the password, then the code, on standard input.",
        )
    test = services.auth.test_user(args.username, password or "", code)
    if args.json:
        print_json(test.to_json())
        return 0 if test.ok else 3
    print(f"{test.result.code}: {test.result.text}")
    if test.password is None:
        if password is not None:
            print("Password: not checked (RADIUS has no primary target: only the code is).")
    elif test.password.ok:
        print(f"Password: accepted by {test.target}.")
    else:
        print(f"Password: refused by {test.target}: {test.password.reason}.")
        print("Code: not checked, so it was not used.")
    return 0 if test.ok else 3


def _password_and_code(with_password: bool) -> tuple[str | None, str]:
    lines = sys.stdin.read().splitlines()
    if with_password:
        if len(lines) < 2:
            raise ConsoleError(
                "users test --password-stdin reads two lines: the password, then the code."
            )
        return lines[0], lines[1]
    if len(lines) != 1:
        raise ConsoleError(
            "users test reads one line, the code, from standard input.",
            hint="With the password first (password, then code), add --password-stdin.",
        )
    return None, lines[0]


def _unblock(args: argparse.Namespace, services: Services) -> int:
    done = services.auth.unblock(args.username)
    print(f"{args.username} unblocked." if done else f"{args.username} was not locked out.")
    return 0
