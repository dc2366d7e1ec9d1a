"""``mfa-console data migrate --to URL``: move the data file into an empty PostgreSQL database."""

from __future__ import annotations

import argparse
import sys

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.errors import DataFileError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("data", help="move the data to another database")
    nouns = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    migrate = nouns.add_parser(
        "migrate",
        help="copy the SQLite data file (--data) into an empty PostgreSQL database",
        description="Copies every row into an EMPTY PostgreSQL database (schema by the console's "
        "migrations), compares the counts and every field of every user, and leaves the data "
        "file untouched. The database password: --password-stdin, the OS keyring or .pgpass.",
    )
    migrate.add_argument("--to", required=True, metavar="URL", help="postgresql://HOST[:PORT]/DB")
    add_json_flag(migrate)
    migrate.set_defaults(func=_migrate)


class _Printer:
    """Progress on stderr, one line rewritten in place (at most every 1 %)."""

    def __init__(self) -> None:
        self.shown: tuple[int, str] = (-1, "")

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        percent = int(100 * done / total) if total else 0
        if (percent, text) != self.shown:
            self.shown = (percent, text)
            print(f"\r{text}: {done}/{total or '?'} rows ({percent} %)", end="", file=sys.stderr)

    def cancelled(self) -> bool:
        return False


def _migrate(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.db import pgpass
    from mfa_console.core.db.engine import connect_postgres
    from mfa_console.core.db.transfer import copy_to_postgres

    if services.db.path is None:
        raise DataFileError(
            f"{services.db.display_name} is not an SQLite data file.",
            hint="Name the data file to move with --data PATH.",
        )
    password = getattr(args, "password", None)
    target = connect_postgres(args.to, password)
    try:
        report = copy_to_postgres(services.db, target, _Printer())
    finally:
        target.dispose()
        print(file=sys.stderr)
    if password is not None:
        pgpass.remember_password(target.url, password)
    if args.json:
        print_json({"target": report.target, "rows": report.rows, "seconds": report.seconds})
        return 0
    print(f"Copied {sum(report.rows.values())} rows into {report.target} in {report.seconds:.1f} s")
    print(f"Compared: the row count of {len(report.rows)} tables and every field of "
          f"{report.users_compared} users; the data file was left untouched.")  # fmt: skip
    print(f"Open it with: mfa-console --data '{args.to}'")
    return 0
