"""``mfa-console backup create|verify|restore FILE [--json]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mfa_console.app import Services
from mfa_console.cli.output import add_json_flag, print_json
from mfa_console.core.backup.manifest import describe_secret
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
        ("verify", _verify, "check a backup: archive, manifest, checksum, integrity"),
        ("restore", _restore, "restore the data file from a backup (a safety backup is kept)"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("file", metavar="FILE", type=Path)
        add_json_flag(action)
        action.set_defaults(func=handler)


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
    return 0


def _print_secrets(heading: str, names: tuple[str, ...]) -> None:
    if names:
        print(heading)
        for name in names:
            print(f"  {name}: {describe_secret(name)}")
