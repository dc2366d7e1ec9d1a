"""What a killed backup or restore leaves is removed by the next run (only when its process is
gone), and safety backups are kept by the retention of scheduled backups."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mfa_console.app import open_services
from mfa_console.core.backup import create_backup, restore_backup
from mfa_console.core.backup.schedule import BackupScheduleSettings
from tests.backup.bulk import add_users, usernames
from tests.backup.conftest import Actor
from tests.backup.test_kill import SLOW, _kill_at


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _keep(data: Path, keep: int) -> None:
    services = open_services(data)
    try:
        services.settings.save(replace(BackupScheduleSettings(), keep=keep))
    finally:
        services.close()


@pytest.mark.parametrize(("text", "nth"), [("Copying", 1), ("Copying", 4), ("Writing", 1)])
def test_the_next_backup_removes_what_a_killed_one_left(
    filled: Path, tmp_path: Path, text: str, nth: int
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    _kill_at(Actor("backup", str(filled), str(folder / "a.mfabackup"), env=SLOW), text, nth)
    assert any(".partial-" in name for name in _hidden(folder))  # what the kill left
    create_backup(filled, folder / "b.mfabackup")
    assert _hidden(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["b.mfabackup"]


def test_a_backup_still_running_keeps_its_file(filled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    running = Actor("backup", str(filled), str(folder / "a.mfabackup"),
                    env={**SLOW, "MFA_CONSOLE_TEST_STEP_DELAY": "2"})  # fmt: skip
    try:
        running.wait_for(lambda line: line.startswith("step Copying"))
        partial = _hidden(folder)
        assert partial
        create_backup(filled, folder / "b.mfabackup")
        assert _hidden(folder) == partial  # the live process's file is not touched
    finally:
        running.kill()


@pytest.mark.parametrize(
    ("text", "nth"),
    [("Checking the backup", 1), ("Safety backup: copying", 2), ("Restoring", 2)],
)
def test_the_next_restore_removes_what_a_killed_one_left(
    filled: Path, tmp_path: Path, text: str, nth: int
) -> None:
    other = tmp_path / "other.db"
    add_users(other, 2500, prefix="new")
    backup = create_backup(other, tmp_path / "b.mfabackup").path
    data_folder, safety = filled.parent, filled.parent / "backups"
    _kill_at(Actor("restore", str(filled), str(backup), env=SLOW), text, nth)
    left = _hidden(data_folder) + (_hidden(safety) if safety.exists() else [])
    assert any(".restore-" in name or ".partial-" in name for name in left), left
    restore_backup(backup, filled)
    assert usernames(filled) == usernames(other)
    assert [n for n in _hidden(data_folder) if ".restore-" in n] == []
    assert _hidden(safety) == []


def test_safety_backups_are_kept_like_scheduled_ones(filled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    add_users(other, 10, prefix="new")
    _keep(other, 2)
    _keep(filled, 2)
    backup = create_backup(other, tmp_path / "b.mfabackup").path
    safety = filled.parent / "backups"
    hand_made = safety / "by-hand.mfabackup"
    safety.mkdir()
    create_backup(filled, hand_made)
    made = [restore_backup(backup, filled).safety_backup for _ in range(4)]
    assert len({path.name for path in made if path}) == 4  # even within one second
    kept = sorted(p.name for p in safety.iterdir() if p.name.startswith("before-restore-"))
    assert len(kept) == 2
    assert hand_made.exists()  # never a backup made by hand
    assert made[-1] is not None and made[-1].name in kept
