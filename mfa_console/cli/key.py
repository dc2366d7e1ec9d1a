"""``mfa-console key ...``: the data key that seals this data file's secrets.

``key export FILE`` writes the key wrapped under a passphrase (read from standard input);
``key import FILE`` puts it into this machine's keyring, e.g. after restoring a backup on a new
machine; ``key show`` prints its fingerprint (never the key).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.errors import ConsoleError


def register(sub: Any) -> None:
    key = sub.add_parser("key", help="export or import the data key").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    exporting = key.add_parser("export", help="write the data key to FILE (passphrase on stdin)")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(func=_export)
    importing = key.add_parser("import", help="import the data key from FILE (passphrase on stdin)")
    importing.add_argument("file", type=Path)
    importing.add_argument(
        "--print-for-systemd",
        action="store_true",
        help="print the key for `systemd-creds encrypt --name=data-key -` instead of storing it",
    )
    importing.set_defaults(func=_import)
    show = key.add_parser("show", help="the data key's fingerprint")
    add_json_flag(show)
    show.set_defaults(func=_show)


def read_secret_line(what: str) -> str:
    """One line of standard input (a passphrase, a password); refuses an empty one."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ConsoleError(f"No {what} on standard input.", hint=f"Pipe the {what} in, one line.")
    return line


def _export(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.keyfile import export_key
    from mfa_console.core.keys import data_key

    key = data_key(services.db)
    export_key(key, args.file, read_secret_line("passphrase"))
    print(f"Data key {key.fingerprint} exported to {args.file}. Keep the file and its passphrase "
          "apart; together they open every secret of this data file.")  # fmt: skip
    return 0


def _import(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.keyfile import import_key
    from mfa_console.core.keys import install_key

    key = import_key(args.file, read_secret_line("passphrase"))
    if args.print_for_systemd:
        sys.stdout.write(key.encoded())  # asked for explicitly, to pipe into systemd-creds
        return 0
    install_key(services.db, key)
    print(f"Data key {key.fingerprint} imported into this machine's keyring.")
    return 0


def _show(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.keys import stored_fingerprint

    with services.db.read() as session:
        fingerprint = stored_fingerprint(session)
    if args.json:
        print_json({"fingerprint": fingerprint})
    else:
        print(fingerprint or "No data key yet (one is made when the first secret is stored).")
    return 0
