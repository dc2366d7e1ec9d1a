"""Background work yields the CPUs to logins: a process that lowers its priority runs at the
background nice value (the directory reader's: tests/sync/test_reader_priority.py)."""

from __future__ import annotations

import multiprocessing
import os

from mfa_console.core.priority import BACKGROUND_NICE, lower_process_priority


def _nice_after_lowering(out: multiprocessing.queues.Queue) -> None:  # type: ignore[name-defined]
    lower_process_priority()
    out.put(os.getpriority(os.PRIO_PROCESS, 0))


def test_a_process_that_lowers_its_priority_runs_at_the_background_nice_value() -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_nice_after_lowering, args=(out,))
    child.start()
    nice = out.get(timeout=60)
    child.join(30)
    assert nice == max(BACKGROUND_NICE, os.getpriority(os.PRIO_PROCESS, 0))
