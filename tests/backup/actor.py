"""Run by the tests as a separate process: ``backup``, ``restore`` or ``write`` on a data file.

``backup DATA DEST`` and ``restore DATA BACKUP`` print every progress step ("step <text>") so the
test can kill the process at a known moment; ``write DATA PREFIX`` adds users one by one forever
and prints each committed name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mfa_console.app import open_services
from mfa_console.core.backup import create_backup, restore_backup
from mfa_console.core.errors import DataFileLockedError
from mfa_console.core.users.records import UserInput


class PrintingProgress:
    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        print(f"step {text} {done}/{total}", flush=True)

    def cancelled(self) -> bool:
        return False


def write_forever(data: Path, prefix: str) -> None:
    services = open_services(data)
    n = 0
    while True:
        try:
            services.users.add(UserInput(username=f"{prefix}{n:06d}", phone="4255550100"))
        except DataFileLockedError:
            continue  # a restore held the write lock for a moment: try the same name again
        print(f"{prefix}{n:06d}", flush=True)
        n += 1


def main(argv: list[str]) -> None:
    command, data, other = argv[0], Path(argv[1]), argv[2]
    if command == "backup":
        result = create_backup(data, Path(other), progress=PrintingProgress())
        print(f"done {result.path}", flush=True)
    elif command == "restore":
        restore_backup(Path(other), data, progress=PrintingProgress())
        print("done", flush=True)
    else:
        write_forever(data, other)


if __name__ == "__main__":
    main(sys.argv[1:])
