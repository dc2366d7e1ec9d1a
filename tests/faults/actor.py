"""Run by the kill tests as a separate process, stopping at a marker the test waits for.

``lease DATA NAME 1`` holds the lease NAME and waits. ``sync DATA MARKER NTH`` synchronizes in
batches of 50 and prints every progress report ("step <text>"); at the NTH report starting with
MARKER it prints "stopped" and waits there, so that the test kills it at a point the code has
really reached.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mfa_console.app import open_services


class StopAt:
    def __init__(self, marker: str, nth: int) -> None:
        self.marker, self.nth = marker, nth

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        print(f"step {text}", flush=True)
        if text.startswith(self.marker):
            self.nth -= 1
            if self.nth == 0:
                print("stopped", flush=True)
                time.sleep(600)

    def cancelled(self) -> bool:
        return False


def main(argv: list[str]) -> None:
    command, data, marker, nth = argv[0], Path(argv[1]), argv[2], int(argv[3])
    services = open_services(data)
    if command == "sync":
        services.sync.engine.batch_size = 50
        services.sync.run(full=True, progress=StopAt(marker, nth))
    elif command == "lease":  # hold the lease named MARKER, as the background service does
        from datetime import timedelta

        from mfa_console.core.db.lease import Lease

        with Lease(services.db, marker, timedelta(minutes=5)):
            StopAt("", nth).report(0, None, "held")
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
