"""A plain progress and cancellation protocol that long core functions accept.

Core functions report progress through ``Progress.report`` and call ``Progress.check`` between
batches; the UI's task helper, the command line and the tests each supply their own implementation.
"""

from __future__ import annotations

import threading
from typing import Protocol

from mfa_console.core.errors import CancelledError


class Progress(Protocol):
    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        """Tell the caller how far the work is; ``total`` is None when it is unknown."""

    def cancelled(self) -> bool:
        """True once the caller asked the work to stop."""


class NullProgress:
    """Progress that is never shown and never cancelled."""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        pass

    def cancelled(self) -> bool:
        return False


class CancelToken:
    """A thread-safe progress sink whose ``cancel()`` can be called from another thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.last: tuple[int, int | None, str] = (0, None, "")

    def cancel(self) -> None:
        self._event.set()

    def cancelled(self) -> bool:
        return self._event.is_set()

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self.last = (done, total, text)


def check_cancel(progress: Progress) -> None:
    """Raise ``CancelledError`` if the caller asked to stop; call it between batches."""
    if progress.cancelled():
        raise CancelledError()
