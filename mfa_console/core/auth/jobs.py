"""The service's authentication-log retention job: purge old rows once an hour, in batches."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from mfa_console.core.auth.log import purge
from mfa_console.core.auth.settings import AuthSettings
from mfa_console.core.db.base import utcnow
from mfa_console.core.progress import CancelToken
from mfa_console.core.service.loop import Job

if TYPE_CHECKING:
    from mfa_console.app import Services

log = logging.getLogger("mfa_console.service")
INTERVAL_SECONDS = 3600


def log_retention_job(services: Services) -> Job:
    last: list[float | None] = [None]  # monotonic time of the last run

    def due() -> bool:
        days = services.settings.load(AuthSettings).log_retention_days
        previous = last[0]
        return days > 0 and (previous is None or time.monotonic() - previous >= INTERVAL_SECONDS)

    def run(progress: CancelToken) -> None:
        from datetime import timedelta

        last[0] = time.monotonic()
        days = services.settings.load(AuthSettings).log_retention_days
        purged = purge(services.db, utcnow() - timedelta(days=days), progress)
        if purged:
            log.info("Authentication log: %d entries older than %d days purged.", purged, days)

    return Job("auth-log-retention", due, run)
