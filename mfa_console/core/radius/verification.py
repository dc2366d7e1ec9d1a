"""The console's code verification and authentication log, behind the server's protocols.

``ConsoleSecondFactor`` calls ``core.auth.verify`` (one-time codes, disabled-user policy,
lockout, replay protection; it writes its own authentication log row). ``QueuedAuthLog`` writes
the server's other outcomes (primary refusals, unknown users, drops) from one background
thread, in batches, so a request never waits for the data file's write lock.
"""

from __future__ import annotations

import logging
import queue
import threading

from mfa_console.core.auth.log import AuthLogEntry, add_entry
from mfa_console.core.auth.verify import AuthRequest, verify
from mfa_console.core.db import Database
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.protocols import AuthEvent, RequestContext, Verdict

log = logging.getLogger("mfa_console.radius")


class ConsoleSecondFactor:
    """Verifications one at a time: each is a short write transaction, and SQLite serialises
    writers anyway; waiting on a lock here is cheaper than SQLite's busy retries (sleeps)."""

    def __init__(self, db: Database, writes: threading.Lock | None = None) -> None:
        self.db = db
        self.writes = writes or threading.Lock()

    def verify(self, username: str, code: str, context: RequestContext) -> Verdict:
        request = AuthRequest(
            username=username,
            code=code,
            server_name=context.server_name,
            server_ip=context.server_ip,
            client_ip=context.client_ip,
            application=context.application or "RADIUS",
        )
        try:
            with self.writes:
                result = verify(self.db, request)
        except ConsoleError as exc:
            log.error("Verification of %s failed: %s", username, exc)
            return Verdict("FAILED_VERIFICATION_ERROR", False, exc.message)
        return Verdict(str(result.code), result.ok, result.text)


class QueuedAuthLog:
    """AuthLog that writes from a background thread, a batch per transaction; ``close()``
    writes what is queued."""

    BATCH = 500

    def __init__(self, db: Database, writes: threading.Lock | None = None) -> None:
        self.db = db
        self.writes = writes or threading.Lock()
        self._queue: queue.Queue[AuthEvent | None] = queue.Queue(maxsize=100_000)
        self._thread = threading.Thread(target=self._run, name="radius-auth-log", daemon=True)
        self._thread.start()

    def record(self, event: AuthEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            log.error(
                "Authentication log queue full: an entry for %r was not written.", event.username
            )

    def flush(self) -> None:
        """Return when everything recorded so far is written."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            events = [e for e in batch if e is not None]
            if events:
                self._write(events)
            for _ in batch:
                self._queue.task_done()
            if None in batch:
                return

    def _write(self, events: list[AuthEvent]) -> None:
        try:
            with self.writes, self.db.write() as session:
                for event in events:
                    add_entry(session, _entry(event))
        except ConsoleError as exc:
            log.error("%d authentication log entries not written: %s", len(events), exc)


def _entry(event: AuthEvent) -> AuthLogEntry:
    ctx = event.context
    return AuthLogEntry(
        username=event.username,
        result=event.result,
        reason=event.reason,
        server_name=ctx.server_name,
        server_ip=ctx.server_ip,
        client_ip=ctx.client_ip,
        application=ctx.application or "RADIUS",
    )
