"""Scheduled backups: due or not, retention, and never during a restore."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.core.backup import BackupScheduleSettings, run_scheduled_backup_if_due
from mfa_console.core.backup.schedule import scheduled_backups
from mfa_console.core.db.lease import Lease
from mfa_console.core.errors import ValidationError


def test_schedule_settings_are_validated(services: Services) -> None:
    with pytest.raises(ValidationError):
        services.settings.save(BackupScheduleSettings(enabled=True, folder=""))
    with pytest.raises(ValidationError):
        services.settings.save(BackupScheduleSettings(interval_hours=0))


def test_not_scheduled_does_nothing(services: Services) -> None:
    assert run_scheduled_backup_if_due(services) is None


def test_due_backups_run_and_old_ones_are_pruned(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "scheduled"
    services.settings.save(BackupScheduleSettings(enabled=True, folder=str(folder), keep=2))
    first = run_scheduled_backup_if_due(services)
    assert first is not None and first.path.parent == folder
    assert run_scheduled_backup_if_due(services) is None  # not due for another 24 h
    hand_made = folder / "by-hand.mfabackup"
    hand_made.write_bytes(b"kept")
    made = [first.path]
    for hours in (25, 50, 75):
        result = run_scheduled_backup_if_due(services, now=time.time() + hours * 3600)
        assert result is not None
        made.append(result.path)
    assert scheduled_backups(folder) == made[:-3:-1]
    assert hand_made.exists()


def test_no_scheduled_backup_during_a_restore(services: Services, tmp_path: Path) -> None:
    services.settings.save(BackupScheduleSettings(enabled=True, folder=str(tmp_path / "s")))
    with Lease(services.db, "restore", timedelta(minutes=1)):
        assert run_scheduled_backup_if_due(services) is None
