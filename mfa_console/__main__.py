"""``mfa-console``: the GUI with no command, the command line with one.

The one place that chooses between them: the command line package (``mfa_console.cli``) never
imports Qt, and the window's options are parsed without loading the command modules.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from mfa_console import cli

    argv = sys.argv[1:] if argv is None else argv
    window = cli.window_options(argv)
    if window is None:
        args = cli.parse(argv)
        if args.command is not None:
            return cli.run_command(args)
        window = args
    from mfa_console.ui.launch import launch

    return launch(window)


if __name__ == "__main__":
    sys.exit(main())
