"""A synchronization pauses between its batches when asked to (the service asks while its RADIUS
server answers logins), and runs at full speed otherwise."""

from __future__ import annotations

import time

from mfa_console.app import Services
from mfa_console.core.radius.state import BUSY_WINDOW, LocalActivity, pause_while_answering
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem


def test_the_engine_asks_after_every_written_batch(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    for i in range(7):
        slapd.add_user(f"p{i:02d}", ou)
    add_item("container", ou)
    asked: list[float] = []
    ldap_sync.sync.engine.batch_size = 3
    ldap_sync.sync.engine.pause_after_batch = lambda seconds: asked.append(seconds) or 0.0

    result = ldap_sync.sync.run(full=True)

    assert result.status == "succeeded", result.message
    assert result.counts.added == 7
    assert len(asked) == 3  # batches of 3, 3 and 1
    assert all(seconds > 0 for seconds in asked)


def test_a_sync_pauses_only_while_the_server_answers() -> None:
    activity = LocalActivity()
    pause = pause_while_answering(activity)
    assert pause(0.25) == 0.0  # no request yet
    activity.value = time.time()
    assert pause(0.25) == 0.25  # as long as the batch took
    activity.value = time.time() - BUSY_WINDOW - 1
    assert pause(0.25) == 0.0
