"""Requests from addresses that are not clients: logged without letting a flood fill the logs.

A source's first drop is logged in full. Later drops from it are only counted, and summarised at
most once a minute ("N more requests from ADDRESS dropped in the last minute"); the runner asks
for the summaries whose minute is over on its ticks, so the last ones of a flood are written too.
A source quiet for a minute is forgotten: its next drop is logged in full again. The number of
sources remembered is bounded; beyond it, drops from new sources share one summary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mfa_console.core.wording import plural

WINDOW_SECONDS = 60.0
MAX_SOURCES = 1000
OTHERS = "other addresses"  # the shared entry once MAX_SOURCES are remembered
FIRST_REASON = "not a RADIUS client of this server"


@dataclass
class _Source:
    since: float  # start of the current minute
    more: int = 0  # drops counted since then, not logged yet


class UnknownClientDrops:
    """What to log for drops from unknown sources; thread-safe, no I/O of its own."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._sources: dict[str, _Source] = {}
        self._lock = threading.Lock()

    def note(self, source: str) -> str | None:
        """One drop from ``source``: the reason to log now, or None when it is only counted."""
        now = self.clock()
        with self._lock:
            entry = self._sources.get(source)
            if entry is None and len(self._sources) >= MAX_SOURCES:
                self._forget_quiet(now)
                if len(self._sources) >= MAX_SOURCES:
                    others = self._sources.setdefault(OTHERS, _Source(now))
                    return _count(OTHERS, others, now)
            if entry is None or (entry.more == 0 and now - entry.since >= WINDOW_SECONDS):
                self._sources[source] = _Source(now)
                return FIRST_REASON
            return _count(source, entry, now)

    def due(self, *, everything: bool = False) -> list[tuple[str, str]]:
        """(source, reason) of each summary whose minute is over (every pending one with
        ``everything``, when the server stops)."""
        now = self.clock()
        out = []
        with self._lock:
            for source, entry in self._sources.items():
                if entry.more and (everything or now - entry.since >= WINDOW_SECONDS):
                    out.append((source, _summary(source, entry, now)))
            self._forget_quiet(now)
        return out

    def _forget_quiet(self, now: float) -> None:
        quiet = [
            s for s, e in self._sources.items() if not e.more and now - e.since >= WINDOW_SECONDS
        ]
        for source in quiet:
            del self._sources[source]

    def __len__(self) -> int:
        return len(self._sources)


def _count(source: str, entry: _Source, now: float) -> str | None:
    entry.more += 1
    return _summary(source, entry, now) if now - entry.since >= WINDOW_SECONDS else None


def _summary(source: str, entry: _Source, now: float) -> str:
    text = f"{plural(entry.more, 'more request', 'more requests')} from {source} dropped in the "
    entry.since, entry.more = now, 0
    return text + "last minute"
