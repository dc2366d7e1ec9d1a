"""Progress, cancel and the pause hook shared by backup and restore steps.

``MFA_CONSOLE_TEST_STEP_DELAY`` (seconds) slows every step down; the tests use it to kill the
process at known moments. It is never set in normal use.
"""

from __future__ import annotations

import os
import time

from mfa_console.core.progress import Progress, check_cancel

DELAY_ENV = "MFA_CONSOLE_TEST_STEP_DELAY"


def step(progress: Progress, done: int, total: int | None, text: str) -> None:
    """Report, honour a cancel, and (under test only) pause."""
    progress.report(done, total, text)
    delay = os.environ.get(DELAY_ENV)
    if delay:
        time.sleep(float(delay))
    check_cancel(progress)
