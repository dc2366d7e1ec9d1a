"""The console's code verification and authentication log, behind the server's protocols.

``ConsoleSecondFactor`` calls ``core.auth.verify`` (one-time codes, disabled-user policy,
lockout, replay protection; it writes its own authentication log row). ``QueuedAuthLog`` writes
the server's other outcomes (primary refusals, unknown users, drops) from one background
thread, in batches, so a request never waits for the data file's write lock.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from typing import Any

from mfa_console.core.db import Database
from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.protocols import AuthEvent, RequestContext, Verdict

log = logging.getLogger("mfa_console.radius")
auth_trace = logging.getLogger("mfa_console.radius.auth")


def _auth_module(name: str) -> Any:
    try:
        return importlib.import_module(f"mfa_console.core.auth.{name}")
    except ImportError:
        return None


class ConsoleSecondFactor:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._verify = _auth_module("verify")

    def verify(self, username: str, code: str, context: RequestContext) -> Verdict:
        if self._verify is None:
            return Verdict("FAILED_VERIFICATION_UNAVAILABLE", False, "codes cannot be verified")
        request = self._verify.AuthRequest(
            username=username,
            code=code,
            server_name=context.server_name,
            server_ip=context.server_ip,
            client_ip=context.client_ip,
            application=context.application or "RADIUS",
        )
        try:
            result = self._verify.verify(self.db, request)
        except ConsoleError as exc:
            log.error("Verification of %s failed: %s", username, exc)
            return Verdict("FAILED_VERIFICATION_ERROR", False, exc.message)
        return Verdict(str(result.code), bool(result.ok), str(result.text))


class QueuedAuthLog:
    """AuthLog that writes from a background thread; ``close()`` writes what is queued."""

    BATCH = 200

    def __init__(self, db: Database) -> None:
        self.db = db
        self._log = _auth_module("log")
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

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            events = [e for e in batch if e is not None]
            if events:
                self._write(events)
            if None in batch:
                return

    def _write(self, events: list[AuthEvent]) -> None:
        for event in events:
            auth_trace.info(
                "%s %s from %s (%s): %s",
                event.result,
                event.username or "-",
                event.context.client_ip,
                event.context.application,
                event.reason,
            )
        if self._log is None:
            return
        for event in events:
            entry = self._log.AuthLogEntry(
                username=event.username,
                result=event.result,
                reason=event.reason,
                server_name=event.context.server_name,
                server_ip=event.context.server_ip,
                client_ip=event.context.client_ip,
                application=event.context.application or "RADIUS",
            )
            try:
                self._log.write_entry(self.db, entry)
            except ConsoleError as exc:
                log.error("Authentication log entry not written: %s", exc)
