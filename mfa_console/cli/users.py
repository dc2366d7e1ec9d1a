"""``mfa-console users ...``: list, show, add, edit, remove, enable, disable, import, export."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json, print_table, stream_json_array
from mfa_console.core.errors import ConsoleError
from mfa_console.core.users.methods import LANGUAGE_FIELDS, METHODS
from mfa_console.core.users.phones import format_phone
from mfa_console.core.users.records import User, UserInput


def register(sub: Any) -> None:
    users = sub.add_parser("users", help="list and change users").add_subparsers(
        dest="users_command", metavar="ACTION", required=True
    )
    listing = users.add_parser("list", help="list users (streams; --filter searches)")
    listing.add_argument(
        "--filter",
        default="",
        metavar="TEXT",
        help="only users whose username, names, email or phone contain TEXT",
    )
    add_json_flag(listing)
    listing.set_defaults(func=_list)

    for name, helptext in (("add", "add a user"), ("edit", "change a user")):
        parser = users.add_parser(name, help=helptext)
        parser.add_argument("username")
        _add_user_options(parser)
        add_json_flag(parser)
        parser.set_defaults(func=_add if name == "add" else _edit)

    for name, func in (("show", _show), ("remove", _remove), ("enable", _enable),
                       ("disable", _disable)):  # fmt: skip
        parser = users.add_parser(name, help=f"{name} a user")
        parser.add_argument("username")
        add_json_flag(parser)
        parser.set_defaults(func=func)

    importing = users.add_parser("import", help="import users from a CSV file")
    importing.add_argument("file", type=Path)
    add_json_flag(importing)
    importing.set_defaults(func=_import)
    exporting = users.add_parser("export", help="export all users to a CSV file")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(func=_export)
    from mfa_console.cli.users_auth import register_actions

    register_actions(users)  # token, test, unblock


def _add_user_options(parser: argparse.ArgumentParser) -> None:
    for option in ("first-name", "last-name", "email", "user-group", "phone", "extension",
                   "backup-phone", "backup-extension", "mode", "language"):  # fmt: skip
        parser.add_argument(f"--{option}", metavar="X")
    parser.add_argument("--new-username", metavar="X", help="(edit) rename the user")
    parser.add_argument("--country-code", type=int, metavar="N", help="e.g. 1, 44, 49")
    parser.add_argument("--backup-country-code", type=int, metavar="N")
    parser.add_argument("--method", choices=list(METHODS))
    state = parser.add_mutually_exclusive_group()
    state.add_argument("--disabled", action="store_true", help="the user is disabled")
    state.add_argument("--enabled", action="store_true", help="the user is enabled")


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The UserInput fields given on the command line (others stay as they are)."""
    names = ("first_name", "last_name", "email", "user_group", "phone", "extension",
             "backup_phone", "backup_extension", "method", "mode", "country_code",
             "backup_country_code")  # fmt: skip
    changes = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if args.method and not args.mode:
        changes["mode"] = None  # a new method takes its default mode
    if args.language:
        changes["languages"] = dict.fromkeys(LANGUAGE_FIELDS, args.language)
    if args.disabled or args.enabled:
        changes["enabled"] = bool(args.enabled)
    return changes


def _output(user: User, as_json: bool) -> None:
    if as_json:
        print_json(user.to_json())
        return
    for key, value in user.to_json().items():
        print(f"{key:20} {'' if value is None else value}")


def _list(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.users.query import UserQuery

    users = UserQuery(services.db, args.filter).iter_all()
    if args.json:
        stream_json_array(user.to_json() for user in users)
    else:
        headers = ["USERNAME", "ENABLED", "METHOD", "PHONE", "EMAIL", "GROUP", "SOURCE"]
        print_table((_table_row(user) for user in users), headers)
    return 0


def _table_row(u: User) -> tuple[str, ...]:
    phone = format_phone(u.phone, u.extension)
    method = METHODS.get(u.method, u.method)
    return (
        u.username,
        "yes" if u.enabled else "no",
        method,
        phone,
        u.email,
        u.user_group,
        u.source,
    )


def _show(args: argparse.Namespace, services: Services) -> int:
    _output(services.users.find(args.username), args.json)
    return 0


def _add(args: argparse.Namespace, services: Services) -> int:
    changes = _changes(args)
    changes.pop("new_username", None)
    user = services.users.add(UserInput(username=args.username, **changes))
    _output(user, args.json)
    return 0


def _edit(args: argparse.Namespace, services: Services) -> int:
    user = services.users.find(args.username)
    changes = _changes(args)
    if args.new_username:
        changes["username"] = args.new_username
    data = dataclasses.replace(user.to_input(), **changes)
    _output(services.users.update(user.id, user.version, data), args.json)
    return 0


def _remove(args: argparse.Namespace, services: Services) -> int:
    user = services.users.find(args.username)
    services.users.remove([user.id])
    _done(args, {"removed": user.username}, f"Removed {user.username}.")
    return 0


def _enable(args: argparse.Namespace, services: Services) -> int:
    return _set_enabled(args, services, True)


def _disable(args: argparse.Namespace, services: Services) -> int:
    return _set_enabled(args, services, False)


def _set_enabled(args: argparse.Namespace, services: Services, enabled: bool) -> int:
    user = services.users.find(args.username)
    changed = services.users.set_enabled([user.id], enabled)
    word = "enabled" if enabled else "disabled"
    text = f"{user.username} is {word}." if changed else f"{user.username} was already {word}."
    _done(args, {"username": user.username, "enabled": enabled, "changed": bool(changed)}, text)
    return 0


def _import(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.users.csvio import import_users

    if not args.file.is_file():
        raise ConsoleError(f"There is no file {args.file}.")
    report = import_users(services.users, args.file)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"{report.created} created, {report.updated} updated, "
              f"{len(report.rejected)} rejected.")  # fmt: skip
        for line, reason in report.rejected:
            print(f"line {line}: {reason}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace, services: Services) -> int:
    from mfa_console.core.users.csvio import export_users

    count = export_users(services.users, args.file)
    print(f"Exported {count} users to {args.file}.")
    return 0


def _done(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.json:
        print_json(data)
    else:
        print(text)
