"""``mfa-console tokens ...``: import, list, assign, unassign and resynchronise OATH tokens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.key import read_secret_line
from mfa_console.cli.output import add_json_flag, print_json, print_table


def register(sub: Any) -> None:
    tokens = sub.add_parser("tokens", help="OATH tokens (hardware and software)").add_subparsers(
        dest="tokens_command", metavar="ACTION", required=True
    )
    importing = tokens.add_parser("import", help="import a token CSV (MFA Server/Entra) or PSKC")
    importing.add_argument("file", type=Path)
    importing.add_argument("--password-stdin", action="store_true",
                           help="read the PSKC file's password from standard input")  # fmt: skip
    add_json_flag(importing)
    importing.set_defaults(func=_import)
    listing = tokens.add_parser("list", help="list the tokens (never their secrets)")
    add_json_flag(listing)
    listing.set_defaults(func=_list)
    assign = tokens.add_parser("assign", help="give a hardware token to a user")
    assign.add_argument("serial")
    assign.add_argument("username")
    assign.add_argument("--replace", action="store_true",
                        help="replace the token the user has (else refused)")  # fmt: skip
    assign.set_defaults(func=_assign)
    unassign = tokens.add_parser("unassign", help="take a token from its user")
    unassign.add_argument("serial")
    unassign.set_defaults(func=_unassign)
    resync = tokens.add_parser("resync", help="resynchronise a drifted token (two codes on stdin)")
    resync.add_argument("serial")
    resync.set_defaults(func=_resync)


def _import(args: argparse.Namespace, services: Services) -> int:
    password = read_secret_line("password") if args.password_stdin else None
    report = services.auth.import_file(args.file, password)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Imported {report.imported} tokens ({report.assigned} assigned).")
        for line, reason in report.rejected:
            print(f"  line {line}: rejected: {reason}")
        for line, reason in report.notes:
            print(f"  line {line}: {reason}")
    return 1 if report.rejected and not report.imported else 0


def _list(args: argparse.Namespace, services: Services) -> int:
    tokens = services.auth.tokens()
    if args.json:
        print_json([t.to_json() for t in tokens])
        return 0
    print_table(
        ((t.serial, t.kind, t.state, t.username or "", f"{t.algorithm}/{t.digits}/{t.period}s",
          t.manufacturer, t.model) for t in tokens),
        ["SERIAL", "KIND", "STATE", "USER", "TOTP", "MANUFACTURER", "MODEL"],
    )  # fmt: skip
    return 0


def _assign(args: argparse.Namespace, services: Services) -> int:
    services.auth.assign(args.serial, args.username, replace=args.replace)
    print(f"{args.serial} assigned to {args.username}.")
    return 0


def _unassign(args: argparse.Namespace, services: Services) -> int:
    services.auth.unassign(args.serial)
    print(f"{args.serial} unassigned.")
    return 0


def _resync(args: argparse.Namespace, services: Services) -> int:
    first, second = sys.stdin.readline().strip(), sys.stdin.readline().strip()
    drift = services.auth.resync(args.serial, first, second)
    print(f"{args.serial} resynchronised (clock {drift:+d} steps).")
    return 0
