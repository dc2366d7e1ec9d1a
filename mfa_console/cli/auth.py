"""``mfa-console auth ...``: the authentication log, locked-out users, log retention."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_table, stream_json_array


def register(sub: Any) -> None:
    auth = sub.add_parser("auth", help="authentication log and lockouts").add_subparsers(
        dest="auth_command", metavar="ACTION", required=True
    )
    log = auth.add_parser("log", help="the authentication log, newest first")
    log.add_argument("--user", default="", metavar="U", help="only this username")
    log.add_argument("--result", default="", metavar="R", help="only this result code")
    log.add_argument("--since", metavar="T", help="ISO time (UTC) or a span: 30m, 12h, 7d")
    log.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (0: all)")
    log.add_argument("--csv", type=Path, metavar="FILE", help="export the rows to a CSV file")
    add_json_flag(log)
    log.set_defaults(func=_log)
    locked = auth.add_parser("locked", help="users locked out now")
    add_json_flag(locked)
    locked.set_defaults(func=_locked)
    purge = auth.add_parser("purge", help="delete log rows older than the retention setting")
    purge.set_defaults(func=_purge)


def _log(args: argparse.Namespace, services: Services) -> int:
    import itertools

    from mfa_console.core.auth.log import LogFilter, iterate
    from mfa_console.core.auth.service import since_text

    where = LogFilter(args.user, args.result, since_text(args.since) if args.since else None)
    if args.csv:
        from mfa_console.core.auth.logcsv import export_csv

        print(f"{export_csv(services.db, where, args.csv):,} rows written to {args.csv}")
        return 0
    rows = iterate(services.db, where)
    if args.limit:
        rows = itertools.islice(rows, args.limit)
    if args.json:
        stream_json_array(e.to_json() for e in rows)
        return 0
    print_table(
        ((e.at.isoformat(sep=" ", timespec="seconds") if e.at else "", e.username, e.result,
          e.client_ip, e.application, e.reason) for e in rows),
        ["TIME (UTC)", "USER", "RESULT", "CLIENT IP", "APPLICATION", "REASON"],
    )  # fmt: skip
    return 0


def _locked(args: argparse.Namespace, services: Services) -> int:
    users = services.auth.locked_users()
    if args.json:
        stream_json_array(u.to_json() for u in users)
    else:
        print_table(((u.username, u.until_text) for u in users), ["USER", "LOCKED"])
    return 0


def _purge(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.auth.log import purge_expired

    print(f"{purge_expired(services.db):,} rows purged.")
    return 0
