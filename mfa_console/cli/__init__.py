"""The command line: one module per noun, each with ``register(subparsers)``, found automatically.

This package imports no Qt: whether ``mfa-console`` opens the window or runs a command is decided
in ``mfa_console.__main__``, which calls ``run`` only for a command.

A command module defines ``register(sub: argparse._SubParsersAction) -> None`` and sets, on each
parser, ``func=handler`` where ``handler(args, services) -> int``. Expected errors end with exit 1
and a one-line reason on stderr; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from types import ModuleType

from mfa_console import __version__
from mfa_console.core.errors import ConsoleError, DataFileLockedError, DiskFullError
from mfa_console.core.text import printable

_SHARED = {"output", "users_auth"}


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    """The parser; without commands it knows only the window's options (and imports nothing)."""
    parser = argparse.ArgumentParser(
        prog="mfa-console",
        description="MFA Console. With no command, opens the console window.",
    )
    parser.add_argument("--version", action="version", version=f"mfa-console {__version__}")
    parser.add_argument(
        "--data",
        metavar="PATH_OR_URL",
        help="the data file (default: MFA_CONSOLE_DATA, else the user data folder)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        dest="data_password_stdin",  # a command's own --password-stdin is another option
        help="(before the command) read the PostgreSQL password from the first line of standard "
        "input (it is then kept in the OS keyring)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="render the main window offscreen to a PNG and exit",
    )
    parser.add_argument("--pane", metavar="NAME", help="with --screenshot: the pane to show")
    parser.add_argument(
        "--size",
        metavar="WxH",
        default="1200x760",
        help="with --screenshot: the window size (default 1200x760)",
    )
    if with_commands:
        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        for module in command_modules():
            module.register(sub)
    return parser


def command_modules() -> list[ModuleType]:
    package = importlib.import_module(__name__)
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in _SHARED)
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def window_options(argv: list[str]) -> argparse.Namespace | None:
    """The options when ``argv`` only opens the window (no command, no help), else None: then
    opening the console imports none of the command modules."""
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    args, rest = build_parser(with_commands=False).parse_known_args(argv)
    return None if rest else args


_window_options = window_options


def parse(argv: list[str]) -> argparse.Namespace:
    """The full command line (every command module loaded); ``command`` is None for the window."""
    return build_parser().parse_args(argv)


def run(argv: list[str]) -> int:
    """Run the command in ``argv`` (the window is ``mfa_console.__main__``'s to open)."""
    args = parse(argv)
    if args.command is None:
        print(
            "mfa-console: no command given (run mfa-console with no argument for the window)",
            file=sys.stderr,
        )
        return 2
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    if getattr(args, "without_data", False):  # e.g. activation-service: no data file
        return _run_without_data(args)
    from mfa_console.app import open_services
    from mfa_console.core.logs import setup_logging

    setup_logging(getattr(args, "log_kind", "cli"))  # a command may set_defaults(log_kind=...)
    try:
        args.password = read_password(args)
        services = open_services(args.data, password=args.password)
    except ConsoleError as exc:
        unopenable = getattr(args, "func_unopenable", None)  # e.g. restore over a damaged file
        if unopenable is None or isinstance(exc, DataFileLockedError | DiskFullError):
            print(f"mfa-console: {printable(exc.for_command_line())}", file=sys.stderr)
            return 1
        try:
            return int(unopenable(args, exc))
        except ConsoleError as again:
            print(f"mfa-console: {printable(again.for_command_line())}", file=sys.stderr)
            return 1
    try:
        return int(args.func(args, services))
    except ConsoleError as exc:
        print(f"mfa-console: {printable(exc.for_command_line())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mfa-console: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        from mfa_console.core.diskfull import disk_full, is_full

        if not is_full(exc):
            raise
        print(f"mfa-console: {disk_full(exc.filename or '')}", file=sys.stderr)
        return 1
    finally:
        services.close()


def read_password(args: argparse.Namespace) -> str | None:
    """With --password-stdin before the command, the first line of standard input (never echoed,
    never logged): the PostgreSQL password."""
    if not getattr(args, "data_password_stdin", False):
        return None
    return sys.stdin.readline().rstrip("\r\n")


def _run_without_data(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args, None))
    except ConsoleError as exc:
        print(f"mfa-console: {printable(exc.for_command_line())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
