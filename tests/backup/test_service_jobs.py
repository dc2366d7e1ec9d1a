"""The background service runs scheduled backups, and waits while a restore runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mfa_console.app import Services
from mfa_console.core.backup.guard import RESTORE_LEASE
from mfa_console.core.backup.schedule import BackupScheduleSettings
from mfa_console.core.db.lease import Lease
from mfa_console.core.service.loop import ServiceLoop, backup_job


def test_service_writes_the_scheduled_backup(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    services.settings.save(BackupScheduleSettings(enabled=True, folder=str(folder), keep=2))
    ServiceLoop(services, factories=[backup_job]).run(once=True)
    written = sorted(folder.glob("scheduled-*"))
    assert len(written) == 1
    assert services.backup.verify(written[0]).manifest.user_count == 0
    ServiceLoop(services, factories=[backup_job]).run(once=True)
    assert sorted(folder.glob("scheduled-*")) == written  # not due again within the interval


def test_jobs_wait_while_a_restore_runs(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    services.settings.save(BackupScheduleSettings(enabled=True, folder=str(folder)))
    with Lease(services.db, RESTORE_LEASE, timedelta(minutes=5)):
        ServiceLoop(services, factories=[backup_job]).run(once=True)
    assert not folder.exists() or not list(folder.glob("scheduled-*"))
