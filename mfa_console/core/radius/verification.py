"""The console's code verification and authentication log, behind the server's protocols.

``ConsoleSecondFactor`` keeps one ``core.auth.verify.Verifier`` (one-time codes, disabled-user
policy, lockout, replay protection) with its settings cached for a few seconds. ``QueuedAuthLog``
writes every log row of the server (verifications, primary refusals, unknown users, drops) from
one background thread, a batch per transaction at most every ``WAIT`` seconds, so a request
never waits for a log write. Rows still queued when the service is killed are lost; a clean
stop writes them.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Select, String, bindparam, select

from mfa_console.core.auth.log import AuthLogEntry, add_entries, uuid7
from mfa_console.core.auth.verify import AuthRequest, Verifier
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.protocols import AuthEvent, ConsoleUser, RequestContext, Verdict

log = logging.getLogger("mfa_console.radius")


_MAX_CANDIDATES = 8


@functools.cache
def _find_users(count: int) -> Select[str, str, bool, str]:
    """The users whose key is one of ``count`` names (a statement per count, built once)."""
    keys = [bindparam(f"k{i}", type_=String) for i in range(count)]
    columns = (UserRow.username, UserRow.username_key, UserRow.enabled, UserRow.method)
    return select(*columns).where(UserRow.username_key.in_(keys))


class ConsoleSecondFactor:
    """The console's users and codes for the server's worker threads: verifications run side by
    side, their replay-guard claims grouped into shared write transactions."""

    SETTINGS_TTL = 5.0  # seconds before a change in Company Settings reaches the server

    def __init__(
        self,
        db: Database,
        record: Callable[[AuthLogEntry], None] | None = None,
    ) -> None:
        self.verifier = Verifier(
            db, record=record, settings_ttl=self.SETTINGS_TTL, group_commit=True
        )

    def find_user(self, candidates: list[str]) -> ConsoleUser | None:
        """One statement on the verifier's own connection: this runs for every request."""
        keys = [name.lower() for name in candidates][:_MAX_CANDIDATES]
        with translate_errors(self.verifier.db):
            params = {f"k{i}": key for i, key in enumerate(keys)}
            rows = self.verifier.reads.rows(_find_users(len(keys)), params)
        by_key = {row[1]: row for row in rows}
        for key in keys:
            row = by_key.get(key)
            if row is not None:
                return ConsoleUser(row[0], bool(row[2]), row[3])
        return None

    def warm(self) -> None:
        """Get ready before the first request (see ``Verifier.warm``); a failure is logged,
        and each request then reports it."""
        try:
            self.verifier.warm()
            with translate_errors(self.verifier.db):
                self.verifier.reads.prepare(*(_find_users(n) for n in (1, 2)))
        except ConsoleError as exc:
            log.warning("The RADIUS server could not prepare its verifications: %s", exc)

    def close(self) -> None:
        self.verifier.close()

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
            result = self.verifier.verify(request)
        except ConsoleError as exc:
            log.error("Verification of %s failed: %s", username, exc)
            return Verdict("FAILED_VERIFICATION_ERROR", False, exc.message)
        return Verdict(str(result.code), result.ok, result.text)


class QueuedAuthLog:
    """AuthLog that writes from a background thread, a batch per transaction; ``close()``
    writes what is queued."""

    BATCH = 500
    WAIT = 0.1  # seconds a row may wait for others to share its transaction

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: queue.Queue[AuthLogEntry | None] = queue.Queue(maxsize=100_000)
        self._thread = threading.Thread(target=self._run, name="radius-auth-log", daemon=True)
        self._thread.start()

    def record(self, event: AuthEvent) -> None:
        self.record_entry(_entry(event))

    def record_entry(self, entry: AuthLogEntry) -> None:
        """Queue ``entry``; its time and id are those of now, not of the batch's write."""
        if entry.at is None or entry.id is None:
            entry = replace(entry, at=entry.at or utcnow(), id=entry.id or uuid7())
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            log.error(
                "Authentication log queue full: an entry for %r was not written.", entry.username
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
            until = time.monotonic() + self.WAIT
            while len(batch) < self.BATCH and batch[-1] is not None:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            events = [e for e in batch if e is not None]
            if events:
                self._write(events)
            for _ in batch:
                self._queue.task_done()
            if None in batch:
                return

    def _write(self, entries: list[AuthLogEntry]) -> None:
        try:
            with self.db.write() as session:
                add_entries(session, entries)
        except ConsoleError as exc:
            log.error("%d authentication log entries not written: %s", len(entries), exc)


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
