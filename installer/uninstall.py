"""The installed uninstaller (``<install folder>/uninstall``): removes the installation it sits in.

    uninstall [--remove-data] [--data FILE]

It removes exactly the files the install manifest lists and the launcher; the data file stays
unless ``--remove-data`` is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from installer import PRODUCT
from installer.cli import uninstall_and_report
from mfa_console.core.errors import ConsoleError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uninstall", description=f"Remove {PRODUCT}.")
    parser.add_argument("--remove-data", action="store_true", help="also delete the data file")
    parser.add_argument(
        "--data", metavar="FILE", type=Path, help="the data file (default: the usual one)"
    )
    parser.add_argument("--target", metavar="DIR", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    target = args.target or Path(sys.executable).resolve().parent
    try:
        return uninstall_and_report(target, args.remove_data, args.data)
    except ConsoleError as exc:
        print(f"uninstall: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
