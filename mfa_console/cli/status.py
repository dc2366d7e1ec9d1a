"""``mfa-console status [--json]``: the Status pane as text or JSON."""

from __future__ import annotations

import argparse

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.status import snapshot

MARK = {"ok": "OK", "warning": "CHECK", "error": "ERROR", "not-configured": "-"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("status", help="show the console's status (as on the Status pane)")
    add_json_flag(parser)
    parser.set_defaults(func=_status)


def _status(args: argparse.Namespace, services: Services) -> int:
    sections = snapshot(services)
    if args.json:
        print_json({"sections": [section.to_json() for section in sections]})
        return 0
    for section in sections:
        print(f"{section.title} [{MARK.get(section.state, section.state)}]")
        for line in section.lines:
            print(f"  {line}")
    return 0
