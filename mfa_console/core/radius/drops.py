"""Dropped requests (from addresses that are not clients, with a wrong shared secret, malformed):
logged without letting a flood fill the logs.

A source's first drop for a reason is logged in full. Later drops from it for that reason are
only counted, and summarised at most once a minute ("N more requests from ADDRESS dropped in the
last minute", followed by the reason unless the address is no client); the runner asks for the
summaries whose minute is over on its ticks, so the last ones of a flood are written too. A
source quiet for a minute is forgotten: its next drop is logged in full again. The number of
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


_Key = tuple[str, str]  # (source, reason)


class Drops:
    """What to log for dropped requests; thread-safe, no I/O of its own."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._sources: dict[_Key, _Source] = {}
        self._lock = threading.Lock()

    def note(self, source: str, why: str = FIRST_REASON) -> str | None:
        """One drop from ``source`` for ``why``: the reason to log now (``why`` itself the first
        time, then a summary), or None when it is only counted."""
        now = self.clock()
        key = (source, why)
        with self._lock:
            entry = self._sources.get(key)
            if entry is None and len(self._sources) >= MAX_SOURCES:
                self._forget_quiet(now)
                if len(self._sources) >= MAX_SOURCES:
                    others = self._sources.setdefault((OTHERS, FIRST_REASON), _Source(now))
                    return _count((OTHERS, FIRST_REASON), others, now)
            if entry is None or (entry.more == 0 and now - entry.since >= WINDOW_SECONDS):
                self._sources[key] = _Source(now)
                return why
            return _count(key, entry, now)

    def due(self, *, everything: bool = False) -> list[tuple[str, str]]:
        """(source, reason) of each summary whose minute is over (every pending one with
        ``everything``, when the server stops)."""
        now = self.clock()
        out = []
        with self._lock:
            for key, entry in self._sources.items():
                if entry.more and (everything or now - entry.since >= WINDOW_SECONDS):
                    out.append((key[0], _summary(key, entry, now)))
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


def _count(key: _Key, entry: _Source, now: float) -> str | None:
    entry.more += 1
    return _summary(key, entry, now) if now - entry.since >= WINDOW_SECONDS else None


def _summary(key: _Key, entry: _Source, now: float) -> str:
    source, why = key
    text = f"{plural(entry.more, 'more request', 'more requests')} from {source} dropped in the "
    entry.since, entry.more = now, 0
    return text + "last minute" + ("" if why == FIRST_REASON else f": {why}")
