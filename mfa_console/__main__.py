"""``mfa-console``: the GUI with no command, the command line with one."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from mfa_console.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
