"""``mfa-console directory``: configure the directory connection, run the staged Test, import
users of a container or a group."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.directory.records import ContainerScope, GroupScope
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import NullProgress
from mfa_console.core.secrets import password_change
from mfa_console.core.settings import check


def register(sub: Any) -> None:
    parser = sub.add_parser("directory", help="directory integration (Active Directory / LDAP)")
    commands = parser.add_subparsers(dest="directory_command", metavar="ACTION", required=True)

    configure = commands.add_parser("configure", help="set the directory connection")
    configure.add_argument("--type", choices=["ad", "ldap"], help="Active Directory or LDAP")
    configure.add_argument(
        "--server",
        action="append",
        metavar="URL",
        help="ldaps://host:636 or ldap://host:389; repeat for backup servers, in order",
    )
    configure.add_argument(
        "--domain",
        metavar="NAME",
        help="Active Directory: the domain's DNS name; without --server its domain controllers "
        "are found through DNS",
    )
    configure.add_argument(
        "--dns-server", metavar="HOST[:PORT]", help="DNS server to ask instead of this computer's"
    )
    configure.add_argument("--base-dn", metavar="DN", help="default: from --domain")
    configure.add_argument("--bind-dn", metavar="DN", help="bind DN or UPN (else anonymous)")
    configure.add_argument(
        "--password-stdin", action="store_true", help="read the bind password from stdin"
    )
    tls = configure.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true", help="StartTLS on ldap:// servers")
    tls.add_argument(
        "--no-tls", action="store_true", help="no TLS at all (the password travels in clear)"
    )
    configure.add_argument("--ca-file", metavar="FILE", help="PEM file of the CA to trust")
    configure.add_argument("--user-filter", metavar="FILTER")
    configure.add_argument(
        "--attribute-scope-queries",
        action=argparse.BooleanOptionalAction,
        help="Active Directory: read a group's members with one attribute scoped query "
        "(on by default; turn off when groups have members in other domains)",
    )
    configure.add_argument("--page-size", type=int, metavar="N", help="entries per page")
    configure.add_argument(
        "--size-limit",
        type=int,
        metavar="N",
        help="most users the Import dialog lists (0: no limit; syncs always read all)",
    )
    configure.set_defaults(func=configure_command)

    test = commands.add_parser("test", help="test each stage: name, TCP, TLS, bind, search")
    add_json_flag(test)
    test.set_defaults(func=test_command)

    imp = commands.add_parser("import", help="import the users of a container or a group")
    scope = imp.add_mutually_exclusive_group(required=True)
    scope.add_argument("--container", metavar="DN")
    scope.add_argument("--group", metavar="DN")
    imp.add_argument("--nested", action="store_true", help="with --group: members of subgroups")
    add_json_flag(imp)
    imp.set_defaults(func=import_command)


def configure_command(args: argparse.Namespace, services: Any) -> int:
    """Build the same settings value as the Directory Integration form (core's rules for server
    lists, the base DN from the domain and the other kind's defaults); the same validation then
    names the problems by the form's labels."""
    current: DirectorySettings = services.directory.load()
    settings = current.with_kind(args.type or current.kind)
    changes: dict[str, Any] = {
        "servers": " ".join(args.server or ()),
        "security": "starttls" if args.starttls else "none" if args.no_tls else "ldaps",
        "base_dn": args.base_dn or "",
        "bind": "simple" if args.bind_dn else "anonymous",
        "bind_dn": args.bind_dn or "",
    }
    for name in ("domain", "dns_server", "user_filter", "page_size", "size_limit"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.attribute_scope_queries is not None:
        changes["attribute_scope_queries"] = args.attribute_scope_queries
    if args.ca_file is not None:
        changes["ca_file"] = os.path.abspath(args.ca_file) if args.ca_file else ""
    settings = settings.with_connection(**changes)
    problems = check(settings)  # before asking for a password the settings may not need
    if problems is not None:
        raise problems
    domain, security = settings.domain, settings.security
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConsoleError("No password was read from stdin.", hint="Pipe the password in.")
    elif args.bind_dn and not services.directory.has_password():
        raise ConsoleError(
            "A simple bind needs the bind account's password.",
            hint="Pass --password-stdin and pipe the password in.",
        )
    services.directory.save(settings, password_change(password, needed=settings.bind == "simple"))
    where = f"{len(settings.servers)} server(s)" if settings.servers else f"DCs of {domain}"
    print(f"Directory settings saved ({where}, {security}).")
    if security == "none":
        print("Warning: without TLS the bind password travels in clear text.", file=sys.stderr)
    return 0


def test_command(args: argparse.Namespace, services: Any) -> int:
    def show(stage: Any) -> None:
        print(stage.line(), flush=True)

    report = services.directory.test(on_stage=None if args.json else show)
    if args.json:
        print_json(report.to_json())
    return 0 if report.ok else 1


def import_command(args: argparse.Namespace, services: Any) -> int:
    if args.nested and not args.group:
        raise ConsoleError("--nested goes with --group.", hint="Add --group DN.")
    scope = GroupScope(args.group, args.nested) if args.group else ContainerScope(args.container)
    result = services.directory.import_scope(scope, NullProgress())
    if args.json:
        print_json(result.to_json())
        return 0
    print(f"Import finished: {result.summary()}.")
    for who, why in result.skipped:
        print(f"  skipped {who}: {why}")
    for who, note in result.warnings:
        print(f"  note {who}: {note}")
    return 0
