"""In-memory state of the server: pending challenges, the retransmission cache, recent counts."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pyrad import packet as rp

from mfa_console.core.radius import packets as pk


@dataclass
class Pending:
    """A user who passed the primary check and was asked for the code."""

    name: str  # as the client sent it
    username: str  # the console user
    client: str  # address of the client that got the challenge
    expires: float
    attempts_left: int
    attributes: pk.RawAttributes = field(default_factory=list)
    upstream: rp.Packet | None = None


class Challenges:
    """Challenges by State; a State is good for a limited time and number of attempts.

    A client must send the answer to the server that challenged it (State lives in memory)."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._items: dict[bytes, Pending] = {}
        self._lock = threading.Lock()

    def open(self, pending: Pending) -> bytes:
        state = b"MFAC" + secrets.token_bytes(16)
        with self._lock:
            if len(self._items) >= self.LIMIT:
                self._purge(time.monotonic())
            self._items[state] = pending
        return state

    def take(self, state: bytes, client: str) -> Pending | None:
        """The pending challenge of ``state`` from ``client`` (removed: put it back to retry)."""
        with self._lock:
            pending = self._items.pop(state, None)
        if pending is None or pending.client != client or pending.expires < time.monotonic():
            return None
        return pending

    def put_back(self, state: bytes, pending: Pending) -> None:
        with self._lock:
            self._items[state] = pending

    def purge(self) -> None:
        with self._lock:
            self._purge(time.monotonic())

    def _purge(self, now: float) -> None:
        for key in [k for k, p in self._items.items() if p.expires < now]:
            del self._items[key]

    def __len__(self) -> int:
        return len(self._items)


IN_FLIGHT = b""


class ReplyCache:
    """Answers a retransmission with the first answer, without checking (and consuming) again.

    Keyed by client address, port, identifier and request authenticator. While the first copy is
    being answered the entry is IN_FLIGHT and repeats are ignored (the client will retry)."""

    TTL = 30.0

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, int, bytes], tuple[bytes, float]] = {}
        self._lock = threading.Lock()
        self._last_purge = time.monotonic()

    def claim(self, key: tuple[str, int, int, bytes]) -> bytes | None:
        """None: the caller must answer (now marked in flight); else the cached answer."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_purge > 5:
                self._last_purge = now
                for k in [k for k, (_, exp) in self._items.items() if exp < now]:
                    del self._items[k]
            found = self._items.get(key)
            if found is not None and found[1] >= now:
                return found[0]
            self._items[key] = (IN_FLIGHT, now + self.TTL)
            return None

    def answer(self, key: tuple[str, int, int, bytes], reply: bytes | None) -> None:
        """Keep ``reply`` for repeats; a dropped request is forgotten (a repeat is checked anew,
        e.g. an accounting request the upstream server did not acknowledge yet)."""
        with self._lock:
            if reply is None:
                self._items.pop(key, None)
            else:
                self._items[key] = (reply, time.monotonic() + self.TTL)


class Activity(Protocol):
    """When the server last counted a request (``time.time()``); a ``multiprocessing.Value``
    when the server runs in a process of its own, so that the service can read it."""

    value: float


@dataclass
class LocalActivity:
    value: float = 0.0


BUSY_WINDOW = 2.0  # seconds since the last request during which the server counts as busy


def pause_while_answering(activity: Activity) -> Callable[[float], float]:
    """For a synchronization's batches (``SyncEngine.pause_after_batch``): while the server is
    answering logins, pause as long as the batch took, so that the logins get the CPUs and the
    data file's write lock at least half of the time (bench/radius.py measures a sync under
    load). When nobody logs in, the sync runs at full speed."""

    def pause(batch_seconds: float) -> float:
        return batch_seconds if time.time() - activity.value < BUSY_WINDOW else 0.0

    return pause


class Counts:
    """Outcomes per minute for the last hour: accepted, rejected, challenged, dropped...;
    each also marks ``activity``."""

    def __init__(self, activity: Activity | None = None) -> None:
        self._minutes: dict[int, Counter[str]] = {}
        self._lock = threading.Lock()
        # "is not None": a shared c_double holding 0.0 is falsy
        self.activity = activity if activity is not None else LocalActivity()

    def add(self, outcome: str) -> None:
        self.activity.value = time.time()
        minute = int(time.time() // 60)
        with self._lock:
            bucket = self._minutes.get(minute)
            if bucket is None:
                bucket = self._minutes[minute] = Counter()
                for old in [m for m in self._minutes if m <= minute - 60]:
                    del self._minutes[old]
            bucket[outcome] += 1

    def last_hour(self) -> dict[str, int]:
        since = int(time.time() // 60) - 59
        total: Counter[str] = Counter()
        with self._lock:
            for minute, bucket in self._minutes.items():
                if minute >= since:
                    total.update(bucket)
        return dict(total)
