"""The RADIUS server in a process of its own, started, watched and stopped by the service.

One Python process runs Python code on one core at a time. In the service's own process, a
synchronization's work (planning and writing 100,000 users) and the server's requests took
turns: during a large sync the server fell behind and VPN logins timed out. In a child process
the server has its own interpreter: neither stalls the other (the data file's write lock is
their only shared resource, and the server's claims share transactions, ``core.db.raw``).

The child opens the data file as any second console process does (the data key from the
keyring or the service's systemd credential), with the service's PostgreSQL password sent
through its pipe (so ``service --password-stdin`` works on a server without a keyring), logs
through the service's handlers (a queue), and stops when told, on SIGTERM / SIGINT (a
systemd stop or Ctrl+C reaches every process of the service), or when the service is gone (its
end of the pipe closes, even when the service was killed). A frozen build cannot spawn children
(see ``core.sync.child_source.usable``): there the server runs on threads of the service.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import logging.handlers
import multiprocessing
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mfa_console.core.radius.state import Activity
from mfa_console.core.sync.child_source import Channel

if TYPE_CHECKING:
    from mfa_console.core.services import Services

log = logging.getLogger("mfa_console.radius")
STOP_WAIT_S = 15.0


class RadiusProcess:
    """The parent's handle: ``ensure()`` starts or restarts the child (``RadiusSupervisor``
    calls it every second), ``close()`` stops it."""

    def __init__(self, url: str, password: str | None = None) -> None:
        """``password``: PostgreSQL's, sent to the child through its pipe (never its command
        line or environment), as the directory reader gets the bind password."""
        self.url = url
        self._password = password
        self._context = multiprocessing.get_context("spawn")
        # When the child last counted a request (shared memory; see state.pause_while_answering).
        self.activity: Activity = self._context.Value("d", 0.0, lock=False)
        self._process: Any = None
        self._control: Channel | None = None
        self._logs: Any = None
        self._listener: logging.handlers.QueueListener | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def ensure(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        if self._process is not None:
            log.error(
                "The RADIUS server's process ended unexpectedly (exit code %s); restarting it.",
                self._process.exitcode,
            )
            self._cleanup()
        self._start()

    def close(self) -> None:
        if self._process is None:
            return
        if self._control is not None:
            with contextlib.suppress(OSError, ValueError):
                self._control.send("stop")
        self._process.join(STOP_WAIT_S)
        if self._process.is_alive():
            log.error("The RADIUS server's process did not stop in time; terminating it.")
            self._process.terminate()
            self._process.join(5)
        self._cleanup()

    def _start(self) -> None:
        self._logs = self._context.Queue()
        self._listener = logging.handlers.QueueListener(
            self._logs, *logging.getLogger().handlers, respect_handler_level=True
        )
        self._listener.start()
        child_end, self._control = self._context.Pipe(duplex=False)
        self._process = self._context.Process(
            target=serve,
            args=(self.url, child_end, self._logs, self._level(), self.activity),
            name="mfa-console-radius",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._control.send(("password", self._password))

    @staticmethod
    def _level() -> int:
        return logging.getLogger().getEffectiveLevel()

    def _cleanup(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._process = None


class RadiusSupervisor:
    """Keeps the child in line with the settings from a thread of its own, every ``interval``
    seconds: started while RADIUS is enabled, restarted if it dies, stopped when disabled. The
    service's loop runs its jobs one after another, so a long synchronization there would
    otherwise delay a restart (logins failing meanwhile)."""

    def __init__(
        self, process: RadiusProcess, enabled: Callable[[], bool], interval: float
    ) -> None:
        self.process = process
        self._enabled = enabled
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (once; later calls do nothing)."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._watch, name="radius-watch", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.process.close()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                if self._enabled():
                    self.process.ensure()
                else:
                    self.process.close()
            except Exception:  # the data file unreadable for a moment, say: the next check
                log.exception("RADIUS server's process not checked; trying again shortly.")
            self._stop.wait(self._interval)


class ThreadedServer:
    """The server on threads of this process: the configuration watcher, the receiver, the
    workers, the grouped claims and the batched authentication log."""

    def __init__(self, services: Services, activity: Activity | None = None) -> None:
        from mfa_console.core.radius.service import RadiusRunner
        from mfa_console.core.radius.verification import ConsoleSecondFactor, QueuedAuthLog

        self.auth_log = QueuedAuthLog(services.db)
        self.factor = ConsoleSecondFactor(services.db, self.auth_log.record_entry)
        self.runner = RadiusRunner(services.radius, self.factor, self.auth_log, activity=activity)
        self._started = False

    def start(self) -> None:
        """Start answering (once; the service's loop calls it on every tick)."""
        if not self._started:
            self._started = True
            self.factor.warm()
            self.runner.start_background()

    def close(self) -> None:
        self.runner.close()
        self.factor.close()
        self.auth_log.close()


def serve(url: str, control: Channel, logs: Any, level: int, activity: Activity) -> None:
    """The child: run the RADIUS server until told to stop or the service is gone."""
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(logs)]
    root.setLevel(level)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    from mfa_console.core.db import open_database
    from mfa_console.core.services import Services

    try:
        _kind, password = control.recv()  # the parent sends it first
    except EOFError:  # the service is already gone
        return
    try:
        services = Services(open_database(url, upgrade=False, password=password))
    except Exception as exc:
        log.error("The RADIUS server could not open the data file: %s", exc)
        return
    server = ThreadedServer(services, activity)
    server.start()
    _settle_collector()
    try:
        while not stop.is_set():
            if control.poll(0.2) and _stop_asked(control):
                break
    finally:
        server.close()
        services.db.dispose()


def _settle_collector() -> None:
    """Move what start-up created (mappers, metadata, the RADIUS dictionary, ...) out of the
    cyclic garbage collector's reach: a full collection over it took about 100 ms, a pause
    every request waiting at that moment shared (the 99th percentile at 500 requests/s)."""
    gc.collect()
    gc.freeze()


def _stop_asked(control: Channel) -> bool:
    try:
        return control.recv() == "stop"
    except EOFError:  # the service is gone
        return True
