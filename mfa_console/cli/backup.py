"""``mfa-console backup create|verify|restore FILE [--json]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.backup.manifest import describe_secret
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import NullProgress, Progress


class _StderrProgress:
    """One line per phase on stderr (stdout stays clean for --json)."""

    def __init__(self) -> None:
        self._last = ""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        if text and text != self._last:
            self._last = text
            print(f"{text}...", file=sys.stderr)

    def cancelled(self) -> bool:
        return False


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("backup", help="back up, verify and restore the data file")
    actions = parser.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("create", _create, "write a backup of the data file to FILE (or into the folder FILE)"),
        ("verify", _verify, "check a backup: complete file, manifest, checksum, integrity"),
        ("restore", _restore, "restore the data file from a backup (a safety backup is kept)"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("file", metavar="FILE", type=Path)
        add_json_flag(action)
        action.set_defaults(func=handler)
        if name == "restore":
            action.set_defaults(func_unopenable=_restore_unopenable)
    _register_schedule(actions)


def _register_schedule(actions: argparse._SubParsersAction) -> None:
    text = "show or change scheduled backups (the background service makes them)"
    schedule = actions.add_parser("schedule", help=text, description=text)
    switch = schedule.add_mutually_exclusive_group()
    switch.add_argument("--enable", action="store_true", help="turn scheduled backups on")
    switch.add_argument("--disable", action="store_true", help="turn scheduled backups off")
    schedule.add_argument("--folder", type=Path, help="where scheduled backups are written")
    schedule.add_argument("--interval-hours", type=int, help="hours between backups (1-744)")
    schedule.add_argument("--keep", type=int, help="how many scheduled backups to keep")
    add_json_flag(schedule)
    schedule.set_defaults(func=_schedule)


def _progress(args: argparse.Namespace) -> Progress:
    return NullProgress() if args.json else _StderrProgress()


def _create(args: argparse.Namespace, services: Services) -> int:
    result = services.backup.create(args.file, progress=_progress(args))
    if args.json:
        print_json(result.to_json())
        return 0
    manifest = result.manifest
    print(f"Backed up {manifest.user_count:,} users to {result.path}")
    print(f"SHA-256 {manifest.sha256}")
    _print_secrets("After a restore on another machine, enter again:", manifest.secrets)
    return 0


def _verify(args: argparse.Namespace, services: Services) -> int:
    result = services.backup.verify(args.file, progress=_progress(args))
    if args.json:
        print_json(result.to_json())
        return 0
    manifest = result.manifest
    print(f"{result.path}: OK (integrity, checksum, manifest)")
    print(
        f"Made {manifest.created_at} by MFA Console {manifest.program_version} on {manifest.host}"
    )
    print(f"{manifest.user_count:,} users, schema {', '.join(manifest.schema_revisions)}")
    if not result.restorable:
        print("This program is too old to restore it: install a newer MFA Console.")
    return 0


def _restore(args: argparse.Namespace, services: Services) -> int:
    report = services.backup.restore(args.file, progress=_progress(args))
    if args.json:
        print_json(report.to_json())
        return 0
    result = report.result
    print(f"Restored {result.manifest.user_count:,} users from {result.backup}")
    print(
        f"(backup made {result.manifest.created_at} on {result.manifest.host}) into {result.target}"
    )
    if result.migrated:
        before = ", ".join(result.schema_before)
        print(f"The data was upgraded from schema {before} to {result.schema_after}.")
    if result.safety_backup:
        print(f"The data file as it was before is kept in {result.safety_backup}")
    _print_secrets("Enter these secrets again on this machine:", report.secrets_to_enter)
    if report.key_needed_command:
        print(
            "The secrets of the restored data file cannot be opened yet: "
            f"{report.key_needed_command}"
        )
    return 0


def _print_secrets(heading: str, names: tuple[str, ...]) -> None:
    if names:
        print(heading)
        for name in names:
            print(f"  {name}: {describe_secret(name)}")


def _restore_unopenable(args: argparse.Namespace, problem: Exception) -> int:
    """Restore when the data file cannot be opened at all (damaged): it is kept aside."""
    from mfa_console.core.backup import restore_backup
    from mfa_console.core.db.engine import resolve_url, sqlite_path

    target = sqlite_path(resolve_url(args.data))
    if target is None:
        raise problem if isinstance(problem, ConsoleError) else ConsoleError(str(problem))
    shown = problem.for_command_line() if isinstance(problem, ConsoleError) else problem
    print(f"mfa-console: {shown}", file=sys.stderr)
    print("Restoring over it; that file is kept beside it.", file=sys.stderr)
    result = restore_backup(args.file, target, progress=_progress(args))
    if args.json:
        print_json(result.to_json())
    else:
        print(f"Restored {result.manifest.user_count:,} users from {result.backup}")
        if result.kept_unreadable:
            print(f"The data file that could not be opened is kept as {result.kept_unreadable}")
    return 0


def _schedule(args: argparse.Namespace, services: Services) -> int:
    from dataclasses import asdict, replace

    current = services.backup.schedule()
    changes: dict[str, object] = {}
    if args.enable or args.disable:
        changes["enabled"] = bool(args.enable)
    if args.folder is not None:
        changes["folder"] = str(args.folder.expanduser().resolve())
    if args.interval_hours is not None:
        changes["interval_hours"] = args.interval_hours
    if args.keep is not None:
        changes["keep"] = args.keep
    if changes:
        current = replace(current, **changes)  # type: ignore[arg-type]
        services.backup.save_schedule(current)
    if args.json:
        print_json(asdict(current))
    else:
        state = "on" if current.enabled else "off"
        print(
            f"Scheduled backups are {state}: every {current.interval_hours} h into "
            f"{current.folder or '(no folder)'}, keeping {current.keep}."
        )
    return 0
