"""The setup's command line: the wizard by default, ``--unattended`` for scripts, ``--uninstall``.

    setup [--target DIR]                              the installer wizard
    setup --unattended --target DIR [--no-launch]     install without questions
    setup --uninstall --target DIR [--remove-data]    remove an installation

Exit 0 on success; 1 with a one-line reason on stderr when installing or removing fails; 2 for a
wrong command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from installer import PRODUCT, core
from installer.payload import PAYLOAD_NAME, Payload, open_payload
from mfa_console import __version__
from mfa_console.core.errors import ConsoleError


def build_parser(prog: str = "mfa-console-setup") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=f"Install {PRODUCT} {__version__}.")
    parser.add_argument("--version", action="version", version=f"{prog} {__version__}")
    parser.add_argument(
        "--target",
        metavar="DIR",
        type=Path,
        help=f"install folder (default {core.default_target()})",
    )
    parser.add_argument("--unattended", action="store_true", help="install without the wizard")
    parser.add_argument(
        "--no-launch", action="store_true", help="with --unattended: do not start the console after"
    )
    parser.add_argument(
        "--uninstall", action="store_true", help="remove the installation in --target"
    )
    parser.add_argument(
        "--remove-data",
        action="store_true",
        help="with --uninstall: also delete the data file (kept unless you ask)",
    )
    parser.add_argument(
        "--data", metavar="FILE", type=Path, help="the data file (default: the usual one)"
    )
    parser.add_argument("--payload", metavar="ZIP_OR_DIR", type=Path, help=argparse.SUPPRESS)
    return parser


def payload_location(args: argparse.Namespace) -> Path:
    """The payload bundled into the frozen setup, or the one given on the command line."""
    if args.payload is not None:
        return Path(args.payload)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / PAYLOAD_NAME
    return Path(__file__).resolve().parent.parent / "build" / "installer" / PAYLOAD_NAME


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.remove_data and not args.uninstall:
        parser.error("--remove-data goes with --uninstall")
    try:
        if args.uninstall:
            return _uninstall(args)
        if args.unattended:
            return _unattended(args)
    except ConsoleError as exc:
        print(f"setup: {exc}", file=sys.stderr)
        return 1
    if _no_display():
        print(
            "setup: no display to show the wizard on. Run it on the desktop, or install with "
            "--unattended --target DIR.",
            file=sys.stderr,
        )
        return 1
    from installer.wizard import run_wizard

    return run_wizard(lambda: open_payload(payload_location(args)), args.target, args.data)


def _no_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _unattended(args: argparse.Namespace) -> int:
    target = args.target or core.default_target()
    payload: Payload = open_payload(payload_location(args))
    try:
        result = core.install(payload, target, _PrintProgress(), data_file=args.data)
    finally:
        payload.close()
    print(report(result))
    if not args.no_launch:
        core.launch_console(result.target)
    return 0


def report(result: core.InstallResult) -> str:
    lines = [f"{core.outcome(result)} ({result.files} files)."]
    lines += [f"Launcher: {item}" for item in result.launchers]
    if result.migration:
        lines.append(result.migration)
    lines += [f"Warning: {text}" for text in result.warnings]
    return "\n".join(lines)


def _uninstall(args: argparse.Namespace) -> int:
    if args.target is None:
        raise ConsoleError(
            "--uninstall needs --target DIR, the folder the console is installed in."
        )
    return uninstall_and_report(args.target, args.remove_data, args.data)


def uninstall_and_report(target: Path, remove_data: bool, data: Path | None) -> int:
    result = core.uninstall(target, remove_data=remove_data, data_file=data)
    print(f"{PRODUCT} removed from {result.target} ({result.removed} files).")
    if result.data_removed:
        print(f"The data file {result.data_removed} was deleted.")
    elif not remove_data:
        print("The data file was kept (use --remove-data to delete it too).")
    for item in result.left:
        print(
            f"Could not remove {item}; it is removed when this program exits, or delete it by hand."
        )
    return 0


class _PrintProgress:
    """Unattended progress: a line every tenth of the way, so logs stay short."""

    def __init__(self) -> None:
        self._step = -1

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        if total:
            step = done * 10 // total
            if step != self._step:
                self._step = step
                print(f"Copying files: {done} of {total}", flush=True)

    def cancelled(self) -> bool:
        return False
