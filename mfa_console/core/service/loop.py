"""The service loop: run periodic jobs (synchronization, and whatever is added) until stopped.

The loop holds the ``service`` lease as its heartbeat (renewed every tick, released on a clean
stop), so the console can show whether the service is alive and a second service refuses to
start. A job that fails is logged and retried at its next due time; the loop keeps going.
``JOB_FACTORIES`` is the list other features extend (scheduled backups, the email outbox).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease, LeaseHeldError, clear_dead_holder
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import CancelToken

if TYPE_CHECKING:
    from mfa_console.core.services import Services

log = logging.getLogger("mfa_console.service")
HEARTBEAT_TTL = timedelta(minutes=2)


@dataclass
class Job:
    """A periodic job: ``due()`` is asked every tick; ``run(progress)`` may honour cancel;
    ``close()`` (optional) is called when the service stops."""

    name: str
    due: Callable[[], bool]
    run: Callable[[CancelToken], None]
    close: Callable[[], None] | None = None


JobFactory = Callable[["Services"], Job]


# The service's runs write smaller batches than the console's: each batch holds the data file's
# write lock, which the RADIUS server's replay guard needs for every request.
SERVICE_SYNC_BATCH = 250


def sync_job(services: Services) -> Job:
    """Synchronize when enabled, there is an item, and the interval since the last run passed."""
    services.sync.engine.batch_size = SERVICE_SYNC_BATCH

    def due() -> bool:
        settings = services.sync.settings()
        if not settings.enabled or not services.sync.items.list():
            return False
        last = services.sync.history.last_run()
        interval = timedelta(minutes=settings.interval_minutes)
        return last is None or utcnow() - last.started_at >= interval

    def run(progress: CancelToken) -> None:
        result = services.sync.run("schedule", progress=progress)
        level = logging.INFO if result.ok else logging.ERROR
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.as_dict().items())
        log.log(
            level,
            "Sync run #%s (%s): %s; %s. %s",
            result.run_id,
            result.kind,
            result.status,
            counts,
            result.message,
        )

    return Job("sync", due, run)


def outbox_job(services: Services) -> Job:
    """Send the email outbox's due messages (retries included) whenever email is set up."""
    from mfa_console.core.mail.settings import EmailSettings

    def due() -> bool:
        return services.settings.load(EmailSettings).configured

    def run(_progress: CancelToken) -> None:
        report = services.mail.send_due()
        if report is None:
            return  # another process is sending
        if report.error:
            log.warning("Outbox not sent: %s", report.error)
        elif report.sent or report.failed:
            log.info("Outbox: %d sent, %d failed.", report.sent, report.failed)

    return Job("outbox", due, run)


def backup_job(services: Services) -> Job:
    """Make a scheduled backup when one is due (the schedule decides; see core.backup)."""
    from mfa_console.core.backup.schedule import run_scheduled_backup_if_due

    def run(_progress: CancelToken) -> None:
        run_scheduled_backup_if_due(services)  # logs what it wrote

    return Job("backup", lambda: True, run)


RADIUS_WATCH_S = 1.0  # how often the RADIUS server's process is checked (restarted if it died)


def radius_job(services: Services) -> Job:
    """The RADIUS server, in a process of its own (``core.radius.process``) while RADIUS is
    enabled, watched from a thread of its own; it starts, reloads or stops its listener to match
    the settings by itself. While it answers logins, the service's synchronizations pause
    between batches (``core.radius.state.pause_while_answering``)."""
    from mfa_console.core.radius.process import RadiusProcess, RadiusSupervisor, ThreadedServer
    from mfa_console.core.radius.state import LocalActivity, pause_while_answering
    from mfa_console.core.sync.child_source import usable

    if not usable():  # a frozen build: on threads of the service
        activity = LocalActivity()
        services.sync.engine.pause_after_batch = pause_while_answering(activity)
        server = ThreadedServer(services, activity)
        return Job("radius", lambda: True, lambda _progress: server.start(), server.close)
    process = RadiusProcess(services.db.url, services.db.password)
    services.sync.engine.pause_after_batch = pause_while_answering(process.activity)
    watch = RadiusSupervisor(process, lambda: services.radius.settings().enabled, RADIUS_WATCH_S)
    return Job("radius", lambda: True, lambda _progress: watch.start(), watch.close)


def _log_retention_job(services: Services) -> Job:
    from mfa_console.core.auth.jobs import log_retention_job

    return log_retention_job(services)


JOB_FACTORIES: list[JobFactory] = [
    radius_job,
    sync_job,
    outbox_job,
    backup_job,
    _log_retention_job,
]


class ServiceLoop:
    def __init__(
        self,
        services: Services,
        *,
        tick: float = 15.0,
        factories: list[JobFactory] | None = None,
    ) -> None:
        self.services = services
        self.tick = tick
        self.jobs = [factory(services) for factory in (factories or JOB_FACTORIES)]
        self.stop_event = threading.Event()
        self._token = CancelToken()

    def stop(self) -> None:
        """Ask the loop to end (signal-safe): running jobs are cancelled between batches."""
        self.stop_event.set()
        self._token.cancel()

    def run(self, *, once: bool = False) -> None:
        """Run until ``stop()`` (or one tick with ``once``); LeaseHeldError if a service runs."""
        if clear_dead_holder(self.services.db, "service"):
            log.warning(
                "The previous service on this computer stopped without releasing its "
                "heartbeat (killed or crashed); starting anyway."
            )
        heartbeat = Lease(self.services.db, "service", HEARTBEAT_TTL).acquire()
        beating = threading.Thread(target=self._beat, args=(heartbeat,), daemon=True)
        beating.start()
        log.info("Service started (data file %s).", self.services.db.display_name)
        try:
            while not self.stop_event.is_set():
                self._tick()
                if once:
                    break
                self.stop_event.wait(self.tick)
        finally:
            self.stop()
            self._close_jobs()
            beating.join()
            heartbeat.release()
            log.info("Service stopped.")

    def _close_jobs(self) -> None:
        for job in self.jobs:
            if job.close is not None:
                try:
                    job.close()
                except Exception as exc:
                    log.error("Job %s did not stop cleanly: %s", job.name, exc)

    def _beat(self, heartbeat: Lease) -> None:
        """Renew the heartbeat while the loop lives, even during a long job."""
        interval = HEARTBEAT_TTL.total_seconds() / 4
        while not self.stop_event.wait(min(interval, self.tick)):
            try:
                heartbeat.renew()
            except ConsoleError as exc:
                log.error("Heartbeat not written: %s", exc)

    def _tick(self) -> None:
        from mfa_console.core.backup.guard import restore_in_progress

        if restore_in_progress(self.services.db):
            log.info("A restore of the data file is running: jobs wait for the next tick.")
            return
        for job in self.jobs:
            if self.stop_event.is_set():
                return
            try:
                if job.due():
                    job.run(self._token)
            except LeaseHeldError as exc:
                log.info("Job %s skipped this time: %s", job.name, exc.message)
            except ConsoleError as exc:
                log.error("Job %s failed: %s", job.name, exc)
            except Exception as exc:  # a bug: log it with its traceback and keep serving
                log.error("Job %s crashed:\n%s", job.name, "".join(traceback.format_exception(exc)))
