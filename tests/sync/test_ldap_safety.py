"""A run interrupted by a dying server, Cancel or a second sync leaves a consistent data file."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from mfa_console.app import Services
from mfa_console.core.db.lease import LeaseHeldError
from mfa_console.core.db.models import UserRow
from mfa_console.core.progress import CancelToken
from mfa_console.core.sync.items import SyncItem
from tests.services.fixtures import MakeSlapd, TestCAs
from tests.services.slapd import PEOPLE, SlapdServer, users_ldif
from tests.sync.conftest import configure_ldap

pytestmark = pytest.mark.both_databases

COUNT = 3000


class StopServerAt(CancelToken):
    """Stops ``server`` once the reader reports ``at`` users read: the server dies mid-run."""

    def __init__(self, server: SlapdServer, at: int) -> None:
        super().__init__()
        self.server, self.at = server, at

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        if text.startswith("Read") and done >= self.at and self.server.running:
            self.server.stop()


def _counts(services: Services) -> tuple[int, int]:
    with services.db.read() as session:
        total = session.scalar(select(func.count(UserRow.id))) or 0
        enabled = session.scalar(select(func.count(UserRow.id)).where(UserRow.enabled)) or 0
        return total, enabled


@pytest.fixture
def big(services: Services, make_slapd: MakeSlapd, test_cas: TestCAs) -> SlapdServer:
    server = make_slapd(preload=users_ldif(COUNT))
    configure_ldap(services, server, test_cas)
    services.sync.items.add(SyncItem(scope="container", dn=PEOPLE))
    services.sync.engine.batch_size = 250
    return server


BIG = 20_000  # the reader process reads ahead: enough users that the server dies mid-read


@pytest.fixture
def bigger(services: Services, make_slapd: MakeSlapd, test_cas: TestCAs) -> SlapdServer:
    server = make_slapd(preload=users_ldif(BIG))
    configure_ldap(services, server, test_cas)
    services.sync.items.add(SyncItem(scope="container", dn=PEOPLE))
    services.sync.engine.batch_size = 250
    return server


@pytest.mark.sqlite_only  # long; PostgreSQL: tests/core/test_postgresql_outage.py
def test_server_stopped_mid_run_loses_nothing_and_next_run_converges(
    services: Services, bigger: SlapdServer
) -> None:
    failed = services.sync.run(full=True, progress=StopServerAt(bigger, 1000))

    assert failed.status == "failed" and "Nobody was disabled" in failed.message
    partial, _ = _counts(services)
    assert 0 < partial < BIG and partial % 250 == 0  # whole batches only

    bigger.start()
    done = services.sync.run(full=True)
    assert done.status == "succeeded"
    assert done.counts.added == BIG - partial
    assert _counts(services) == (BIG, BIG)

    again = services.sync.run(full=True, progress=StopServerAt(bigger, 1500))
    assert again.status == "failed"
    assert _counts(services) == (BIG, BIG)  # nobody disabled or removed

    bigger.start()
    final = services.sync.run(full=True)
    assert (final.counts.unchanged, final.counts.added, final.counts.disabled) == (BIG, 0, 0)


def test_cancel_keeps_whole_batches(services: Services, big: SlapdServer) -> None:
    class CancelAt(CancelToken):
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            if done >= 600:
                self.cancel()

    result = services.sync.run(full=True, progress=CancelAt())

    assert result.status == "cancelled"
    total, _ = _counts(services)
    assert total % 250 == 0 and total < COUNT
    assert services.sync.run(full=True).counts.added == COUNT - total


def test_only_one_sync_at_a_time(services: Services, big: SlapdServer) -> None:
    paused, release = threading.Event(), threading.Event()

    class PauseOnce(CancelToken):
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            if not paused.is_set() and done >= 500:
                paused.set()
                release.wait(30)

    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(services.sync.run(full=True, progress=PauseOnce()))
    )
    worker.start()
    try:
        assert paused.wait(30)
        with pytest.raises(LeaseHeldError) as caught:
            services.sync.run(full=True)
        assert "already running" in str(caught.value)
        assert services.sync.running_elsewhere()
    finally:
        release.set()
        worker.join(60)
    assert results and results[0].status == "succeeded"  # type: ignore[attr-defined]
    assert services.sync.run(full=True).counts.unchanged == COUNT


def test_incremental_run_reads_only_changes(
    services: Services, slapd: SlapdServer, test_cas: TestCAs
) -> None:
    configure_ldap(services, slapd, test_cas)
    ou = slapd.add_ou(f"i{uuid.uuid4().hex[:8]}")
    rob = slapd.add_user("rob", ou, mail="rob@example.test")
    gone = slapd.add_user("sam", ou)
    services.sync.items.add(SyncItem(scope="container", dn=ou))
    assert services.sync.run().kind == "full"  # the first run is always a full pass

    slapd.modify(rob, mail="robert@example.test")
    slapd.delete(gone)
    result = services.sync.run()

    assert result.kind == "incremental" and result.status == "succeeded"
    assert (result.counts.updated, result.counts.disabled) == (
        1,
        0,
    )  # deletions wait for a full pass
    assert services.users.find("rob").email == "robert@example.test"
    full = services.sync.run(full=True)
    assert full.kind == "full" and full.counts.disabled == 1
