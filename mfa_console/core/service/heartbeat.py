"""Is the background service running? Its ``service`` lease is its heartbeat.

The Synchronization tab and the Status pane ask this whenever scheduling is on, so that a
scheduled run is never shown as if it will happen while no service runs to carry it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfa_console.core.db import Database
from mfa_console.core.db.lease import LeaseInfo, lease_info

HOW_TO_START = (
    "Scheduled work runs only while the background service runs: start the MFA Console "
    "service on the server that runs it (a system service; see \u201cRunning MFA Console as a "
    "headless service\u201d in the documentation)."
)


@dataclass(frozen=True)
class ServiceState:
    running: bool
    info: LeaseInfo | None

    def summary(self) -> str:
        """One line: running where, or not running since when."""
        if self.running and self.info is not None:
            return f"The background service is running on {self.info.host}."
        if self.info is None:
            return "The background service has never run on this data file."
        return (
            f"The background service is not running (last seen "
            f"{self.info.renewed_at:%Y-%m-%d %H:%M} UTC on {self.info.host})."
        )


def service_state(db: Database) -> ServiceState:
    info = lease_info(db, "service")
    return ServiceState(info is not None and info.alive, info)
