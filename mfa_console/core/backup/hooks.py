"""Progress, cancel and the pause hook shared by backup and restore steps.

``MFA_CONSOLE_TEST_STEP_DELAY`` (seconds) slows every step down and ``MFA_CONSOLE_TEST_STEP_PAGES``
makes the steps smaller; the tests use them to kill the process at known moments. Neither is set
in normal use.
"""

from __future__ import annotations

import os
import time

from mfa_console.core.progress import Progress, check_cancel

DELAY_ENV = "MFA_CONSOLE_TEST_STEP_DELAY"
PAGES_ENV = "MFA_CONSOLE_TEST_STEP_PAGES"
STEP_PAGES = 2048  # 8 MB at the default page size: progress a few times a second, cancel quickly


def step(progress: Progress, done: int, total: int | None, text: str) -> None:
    """Report, honour a cancel, and (under test only) pause."""
    progress.report(done, total, text)
    delay = os.environ.get(DELAY_ENV)
    if delay:
        time.sleep(float(delay))
    check_cancel(progress)


def step_pages() -> int:
    """Pages copied per backup step."""
    return int(os.environ.get(PAGES_ENV) or STEP_PAGES)


class Prefixed:
    """Progress of a sub-task, its texts prefixed (e.g. the safety backup inside a restore)."""

    def __init__(self, progress: Progress, prefix: str) -> None:
        self._progress, self._prefix = progress, prefix

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self._progress.report(done, total, f"{self._prefix}{text[:1].lower()}{text[1:]}")

    def cancelled(self) -> bool:
        return self._progress.cancelled()
