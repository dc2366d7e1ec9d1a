"""The console's code verification and authentication log, behind the server's protocols.

``ConsoleSecondFactor`` keeps one ``core.auth.verify.Verifier`` (one-time codes, disabled-user
policy, lockout, replay protection) with its settings cached for a few seconds. ``QueuedAuthLog``
writes every log row of the server (verifications, primary refusals, unknown users, drops) from
one background thread, a batch per transaction at most every ``WAIT`` seconds, so a request
never waits for a log write. Rows still queued when the service is killed are lost; a clean
stop writes them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from mfa_console.core.auth.log import AuthLogEntry, add_entries, uuid7
from mfa_console.core.auth.verify import AuthRequest, Rows, Verifier, user_fields
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.protocols import AuthEvent, ConsoleUser, RequestContext, Verdict

log = logging.getLogger("mfa_console.radius")


_MAX_CANDIDATES = 8


class ConsoleSecondFactor:
    """The console's users and codes for the server's worker threads: verifications run side by
    side, their replay-guard claims grouped into shared write transactions.

    ``find_user`` reads the user with everything a verification needs; the verification that
    follows on the same thread within ``REUSE_SECONDS`` uses those rows instead of reading them
    again (one statement less per request). The replay guard's claim is always made against
    the data file, so a reused read can never let a code be used twice."""

    SETTINGS_TTL = 5.0  # seconds before a change in Company Settings reaches the server
    REUSE_SECONDS = 1.0

    def __init__(
        self,
        db: Database,
        record: Callable[[AuthLogEntry], None] | None = None,
    ) -> None:
        self.verifier = Verifier(
            db, record=record, settings_ttl=self.SETTINGS_TTL, group_commit=True
        )
        self._local = threading.local()

    def find_user(self, candidates: list[str]) -> ConsoleUser | None:
        """One statement on the verifier's own connection: this runs for every request."""
        keys = [name.strip().lower() for name in candidates][:_MAX_CANDIDATES]
        with translate_errors(self.verifier.db):
            found = self.verifier.lookup(keys)
        for key in keys:
            rows = found.get(key)
            if rows:
                self._local.read = (key, rows, time.monotonic())
                username, enabled, method = user_fields(rows)
                return ConsoleUser(username, enabled, method)
        return None

    def warm(self) -> None:
        """Get ready before the first request (see ``Verifier.warm``); a failure is logged,
        and each request then reports it."""
        try:
            self.verifier.warm()
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
            result = self.verifier.verify(request, rows=self._recent_read(username))
        except ConsoleError as exc:
            log.error("Verification of %s failed: %s", username, exc)
            return Verdict("FAILED_VERIFICATION_ERROR", False, exc.message)
        return Verdict(str(result.code), result.ok, result.text)

    def _recent_read(self, username: str) -> Rows | None:
        """This thread's last ``find_user`` rows, if they are ``username``'s and recent."""
        read = getattr(self._local, "read", None)
        self._local.read = None
        if read is None or read[0] != username.strip().lower():
            return None
        return read[1] if time.monotonic() - read[2] < self.REUSE_SECONDS else None


class QueuedAuthLog:
    """AuthLog that writes from a background thread every ``WAIT`` seconds, what was recorded
    meanwhile in transactions of up to ``BATCH`` rows; recording wakes nobody (a request only
    appends to a list). ``close()`` writes what is pending."""

    BATCH = 500
    WAIT = 0.1  # seconds a row may wait for others to share its transaction
    MAX_PENDING = 100_000

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[AuthLogEntry] = []
        self._recorded = self._done = 0  # entries accepted, and written (or failed) since
        self._lock = threading.Condition()
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="radius-auth-log", daemon=True)
        self._thread.start()

    def record(self, event: AuthEvent) -> None:
        self.record_entry(_entry(event))

    def record_entry(self, entry: AuthLogEntry) -> None:
        """Keep ``entry`` for the next write; its time and id are those of now."""
        if entry.at is None or entry.id is None:
            entry = replace(entry, at=entry.at or utcnow(), id=entry.id or uuid7())
        with self._lock:
            if len(self._pending) < self.MAX_PENDING:
                self._pending.append(entry)
                self._recorded += 1
                return
        log.error("Authentication log queue full: an entry for %r was not written.", entry.username)

    def flush(self) -> None:
        """Return when everything recorded so far is written."""
        with self._lock:
            target = self._recorded
            self._wake.set()
            self._lock.wait_for(lambda: self._done >= target)

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.WAIT)
            self._wake.clear()
            closing = self._closing
            with self._lock:
                entries, self._pending = self._pending, []
            for start in range(0, len(entries), self.BATCH):
                self._write(entries[start : start + self.BATCH])
            with self._lock:
                self._done += len(entries)
                self._lock.notify_all()
            if closing:
                return

    def _write(self, entries: list[AuthLogEntry]) -> None:
        try:
            with self.db.write() as session:
                add_entries(session, entries)
        except ConsoleError as exc:
            log.error("%d authentication log entries not written: %s", len(entries), exc)
        except Exception:  # a bug: the writer must outlive it, or flush() would wait forever
            log.exception("%d authentication log entries not written.", len(entries))


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
