"""Lower the scheduling priority of background work, so that logins answered by the RADIUS
server come first when the CPUs are busy.

Decoding a directory during a synchronization is throughput work: it may take a little longer.
A VPN login waiting behind it times out. On POSIX systems the directory reader's process runs at
a higher nice value; elsewhere priorities are left as they are. Only the reader is lowered, not
the thread that writes the synchronization's batches: that thread holds the data file's write
lock, which the RADIUS server's replay guard needs too, and a lowered lock holder would make the
logins wait longer (measured: bench/radius.py). Raising a priority back needs privileges, so this
is one-way: call it only in a process that does background work from then on.
"""

from __future__ import annotations

import contextlib
import os
import sys

BACKGROUND_NICE = 10


def lower_process_priority() -> None:
    """This process (and the children it starts from now on) yields to normal work."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        os.nice(max(0, BACKGROUND_NICE - os.getpriority(os.PRIO_PROCESS, 0)))
