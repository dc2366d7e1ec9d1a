"""Nothing is lost: SIGKILL at any moment of a backup or a restore leaves a whole data file.

The helper process runs the real backup or restore with small, slowed-down steps
(``MFA_CONSOLE_TEST_STEP_*``) and prints each step; the test kills it with SIGKILL when a chosen
step appears, then opens the data file and checks every user.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_console.app import open_services
from mfa_console.core.backup import create_backup, restore_backup, verify_backup
from tests.backup.bulk import add_users, usernames
from tests.backup.conftest import Actor, integrity

SLOW = {"MFA_CONSOLE_TEST_STEP_DELAY": "0.02", "MFA_CONSOLE_TEST_STEP_PAGES": "40"}


def _kill_at(actor: Actor, text: str, nth: int) -> None:
    count = 0

    def matches(line: str) -> bool:
        nonlocal count
        return line.startswith(f"step {text}") and (count := count + 1) >= nth

    actor.wait_for(lambda line: line.startswith(f"step {text}") and matches(line))
    actor.kill()


@pytest.mark.parametrize(
    ("text", "nth"),
    [("Copying", 1), ("Copying", 5), ("Writing", 1), ("Saving", 1)],
)
def test_kill_during_backup(filled: Path, tmp_path: Path, text: str, nth: int) -> None:
    before = usernames(filled)
    destination = tmp_path / "b.mfabackup"
    _kill_at(Actor("backup", str(filled), str(destination), env=SLOW), text, nth)
    assert integrity(filled) == "ok"
    assert usernames(filled) == before
    if destination.exists():  # killed after the rename: it must be whole
        assert verify_backup(destination).manifest.user_count == len(before)
    services = open_services(filled)  # and the console opens it as usual
    try:
        assert services.users.count()[0] == len(before)
    finally:
        services.close()


@pytest.mark.parametrize(
    ("text", "nth"),
    [
        ("Checking the backup", 1),
        ("Safety backup: copying", 1),
        ("Safety backup: writing", 1),
        ("Restoring", 1),
        ("Restoring", 6),
        ("Restored", 1),
    ],
)
def test_kill_during_restore(filled: Path, tmp_path: Path, text: str, nth: int) -> None:
    other = tmp_path / "other.db"
    add_users(other, 2500, prefix="new")
    backup = create_backup(other, tmp_path / "b.mfabackup").path
    old, new = usernames(filled), usernames(other)
    _kill_at(Actor("restore", str(filled), str(backup), env=SLOW), text, nth)
    assert integrity(filled) == "ok"
    assert usernames(filled) in (old, new)  # every user of one side, nothing mixed
    # The killed restore's lease does not block the next attempt, which completes.
    restore_backup(backup, filled)
    assert usernames(filled) == new


def test_kill_at_random_moments(filled: Path, tmp_path: Path) -> None:
    """A few kills at random times of a backup followed by a restore, each checked."""
    import random
    import time

    other = tmp_path / "other.db"
    add_users(other, 2000, prefix="new")
    backup = create_backup(other, tmp_path / "b.mfabackup").path
    old, new = usernames(filled), usernames(other)
    chance = random.Random(6)
    for round_ in range(4):
        command = ("backup", str(filled), str(tmp_path / f"r{round_}.mfabackup"))
        if round_ % 2:
            command = ("restore", str(filled), str(backup))
        actor = Actor(*command, env=SLOW)
        actor.wait_for(lambda line: line.startswith("step"))
        time.sleep(chance.uniform(0.0, 0.4))
        actor.kill()
        assert integrity(filled) == "ok"
        assert usernames(filled) in (old, new)
