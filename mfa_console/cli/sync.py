"""`mfa-console sync ...`: sync items, settings, runs (also dry runs), approval and history."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json, print_table
from mfa_console.core.errors import ValidationError
from mfa_console.core.sync.items import EMAIL_POLICIES, ENABLE_POLICIES, SyncItem
from mfa_console.core.sync.results import COUNTS, RunResult
from mfa_console.core.sync.settings import format_interval, parse_interval
from mfa_console.core.text import printable
from mfa_console.core.users.methods import LANGUAGES, METHODS


def register(sub: Any) -> None:
    parser = sub.add_parser("sync", help="directory synchronization: items, settings, runs")
    nouns = parser.add_subparsers(dest="sync_command", metavar="COMMAND", required=True)
    _register_items(nouns)
    _register_settings(nouns)
    run = nouns.add_parser("run", help="synchronize now (exit 1 when the run failed)")
    run.add_argument("--full", action="store_true", help="a full pass (else incremental if due)")
    run.add_argument(
        "--dry-run", action="store_true", help="show what would change; change nothing"
    )
    add_json_flag(run)
    run.set_defaults(func=cmd_run)
    approve = nouns.add_parser("approve", help="carry out disables/removals waiting for approval")
    add_json_flag(approve)
    approve.set_defaults(func=cmd_approve)
    history = nouns.add_parser("history", help="recent runs, newest first")
    history.add_argument("--limit", type=int, default=50)
    history.add_argument("--changes", type=int, metavar="RUN", help="the per-user changes of a run")
    history.add_argument(
        "--csv", metavar="FILE", help="export runs and changes as CSV ('-': stdout)"
    )
    add_json_flag(history)
    history.set_defaults(func=cmd_history)


def _register_items(nouns: Any) -> None:
    item = nouns.add_parser("item", help="add, list or remove sync items")
    verbs = item.add_subparsers(dest="item_command", metavar="COMMAND", required=True)
    add = verbs.add_parser("add", help="add an item at the end of the list")
    scope = add.add_mutually_exclusive_group(required=True)
    scope.add_argument("--container", metavar="DN", help="an OU or container")
    scope.add_argument("--group", metavar="DN", help="a security group")
    add.add_argument("--nested", action="store_true", help="with --group: include nested groups")
    add.add_argument("--method", choices=sorted(METHODS), help="method of new users")
    add.add_argument("--mode", help="mode of that method (e.g. standard, pin, otp)")
    add.add_argument("--language", choices=sorted(LANGUAGES), help="language of new users")
    add.add_argument("--on-removed", choices=["disable", "remove", "none"], default="disable")
    add.add_argument("--enable", choices=sorted(ENABLE_POLICIES), default="all")
    add.add_argument("--email", choices=sorted(EMAIL_POLICIES), default="none")
    add.add_argument(
        "--phone", default="business", help="phone attribute kind (business, mobile...)"
    )
    add.add_argument("--backup-phone", default="", help="backup phone attribute kind")
    add.add_argument("--no-add", action="store_true", help="do not add new users")
    add.add_argument("--no-update", action="store_true", help="do not update existing users")
    add_json_flag(add)
    add.set_defaults(func=cmd_item_add)
    listing = verbs.add_parser("list", help="the items, in the order they are matched")
    add_json_flag(listing)
    listing.set_defaults(func=cmd_item_list)
    remove = verbs.add_parser("remove", help="remove an item (its users stay)")
    remove.add_argument("id", type=int)
    remove.set_defaults(func=cmd_item_remove)


def _register_settings(nouns: Any) -> None:
    settings = nouns.add_parser("settings", help="show or change the synchronization settings")
    enable = settings.add_mutually_exclusive_group()
    enable.add_argument("--enable", dest="enabled", action="store_true", default=None)
    enable.add_argument("--disable", dest="enabled", action="store_false")
    settings.add_argument("--interval", help="time between runs, 1m to 24h (e.g. 15m, 2h)")
    missing = settings.add_mutually_exclusive_group()
    missing.add_argument(
        "--remove-missing",
        dest="remove_missing",
        action="store_true",
        default=None,
        help="remove users deleted from the directory",
    )
    missing.add_argument("--keep-missing", dest="remove_missing", action="store_false")
    settings.add_argument(
        "--approval-threshold",
        type=int,
        metavar="N",
        help="approve first when more than N users would be disabled/removed",
    )
    full = settings.add_mutually_exclusive_group()
    full.add_argument("--always-full", dest="always_full", action="store_true", default=None)
    full.add_argument("--incremental", dest="always_full", action="store_false")
    add_json_flag(settings)
    settings.set_defaults(func=cmd_settings)


def cmd_item_add(args: argparse.Namespace, services: Services) -> int:
    if args.nested and not args.group:
        raise ValidationError({"nested": "--nested goes with --group"})
    languages = {m: args.language for m in METHODS} if args.language else {}
    item = SyncItem(
        scope="group" if args.group else "container",
        dn=args.group or args.container,
        nested=args.nested,
        add_new=not args.no_add,
        update_existing=not args.no_update,
        on_removed=args.on_removed,
        phone_attribute=args.phone,
        backup_phone_attribute=args.backup_phone,
        enable_policy=args.enable,
        email_policy=args.email,
        method=args.method or "",
        mode=args.mode or "",
        languages=languages,
    )
    added, warning = services.sync.add_item(item)
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({**added.to_json(), "warning": warning})
    else:
        print(f"Added sync item #{added.id}: {added.title}")
    return 0


def cmd_item_list(args: argparse.Namespace, services: Services) -> int:
    items = services.sync.items.list()
    if args.json:
        print_json([item.to_json() for item in items])
        return 0
    print_table(
        (
            [
                i.id,
                i.scope,
                "yes" if i.nested else "",
                i.dn,
                i.on_removed,
                i.enable_policy,
                i.email_policy,
                i.method or "(company)",
            ]
            for i in items
        ),
        ["ID", "SCOPE", "NESTED", "DN", "NO LONGER MEMBER", "ENABLED", "EMAIL", "METHOD"],
    )
    return 0


def cmd_item_remove(args: argparse.Namespace, services: Services) -> int:
    services.sync.items.remove(args.id)
    print(f"Removed sync item #{args.id}.")
    return 0


def cmd_settings(args: argparse.Namespace, services: Services) -> int:
    current = services.sync.settings()
    changes: dict[str, Any] = {}
    for name in ("enabled", "remove_missing", "always_full"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.interval:
        changes["interval_minutes"] = parse_interval(args.interval)
    if args.approval_threshold is not None:
        changes["approval_threshold"] = args.approval_threshold
    if changes:
        current = dataclasses.replace(current, **changes)
        services.sync.save_settings(current)
    if args.json:
        print_json(dataclasses.asdict(current))
        return 0
    print(f"enabled: {'yes' if current.enabled else 'no'}")
    print(f"interval: {format_interval(current.interval_minutes)}")
    print(f"remove users no longer in the directory: {'yes' if current.remove_missing else 'no'}")
    print(f"always full: {'yes' if current.always_full else 'no'}")
    print(f"approval threshold: {current.approval_threshold}")
    return 0


def print_result(result: RunResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_json())
        return
    title = "Dry run (nothing changed)" if result.dry_run else f"Run #{result.run_id}"
    counts = ", ".join(
        f"{name.replace('_', ' ')} {getattr(result.counts, name)}" for name in COUNTS
    )
    print(f"{title}, {result.kind}: {result.status}. {counts}.")
    if result.message:
        print(result.message, file=sys.stderr)
    for change in result.changes:
        who = printable(change.username or change.directory_id)
        print(f"  {change.action:8} {who}  {printable(change.detail)}")


def cmd_run(args: argparse.Namespace, services: Services) -> int:
    result = services.sync.run("command-line", full=args.full, dry_run=args.dry_run)
    print_result(result, args.json)
    return 0 if result.ok else 1


def cmd_approve(args: argparse.Namespace, services: Services) -> int:
    pending = services.sync.history.pending()
    if not pending:
        if args.json:
            print_json({"approved": 0, "disabled": 0, "removed": 0})
        else:
            print("Nothing is waiting for approval.")
        return 0
    result = services.sync.approve()
    if args.json:
        print_json({"approved": len(pending), **result.to_json()})
    else:
        print(
            f"Approved {len(pending)}: disabled {result.counts.disabled}, "
            f"removed {result.counts.removed}."
        )
    return 0


def cmd_history(args: argparse.Namespace, services: Services) -> int:
    history = services.sync.history
    if args.csv:
        return _export(services, args.csv)
    if args.changes is not None:
        changes = history.changes(args.changes)
        if args.json:
            print_json([dataclasses.asdict(c) for c in changes])
        else:
            print_table(
                ([c.action, c.username, c.directory_id, c.detail] for c in changes),
                ["ACTION", "USERNAME", "DIRECTORY ID", "DETAIL"],
            )
        return 0
    runs = history.runs(args.limit)
    if args.json:
        print_json([run.to_json() for run in runs])
        return 0
    print_table(
        (
            [
                r.id,
                f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                f"{r.ended_at:%H:%M:%S}" if r.ended_at else "",
                r.trigger,
                r.kind,
                r.status,
                *(r.counts[n] for n in COUNTS),
            ]
            for r in runs
        ),
        [
            "ID",
            "START (UTC)",
            "END",
            "TRIGGER",
            "KIND",
            "STATUS",
            "ADDED",
            "UPDATED",
            "DISABLED",
            "REMOVED",
            "UNCHANGED",
            "PENDING",
            "ERRORS",
        ],
    )
    return 0


def _export(services: Services, target: str) -> int:
    if target == "-":
        services.sync.history.export_csv(sys.stdout)
        return 0
    from mfa_console.core.diskfull import reported

    with reported(target), open(target, "w", newline="", encoding="utf-8") as handle:
        count = services.sync.history.export_csv(handle)
    print(f"Exported {count} changes to {target}.")
    return 0
