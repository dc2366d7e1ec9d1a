"""A synchronization killed with SIGKILL at points it really reaches blocks nothing: the next
run starts at once, and Status and the history say the killed run is no longer running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.app import Services, open_services
from mfa_console.core.status import service_section
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.status import status_section
from tests.backup.conftest import Actor
from tests.faults.small_disk import mount_small_disk
from tests.services.fixtures import TestCAs
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem, configure_ldap

USERS = 150


@pytest.fixture
def filled_ou(slapd: SlapdServer, ou: str) -> str:
    slapd.add_users(
        (f"uid=k{i:04d},{ou}", {"objectClass": ["inetOrgPerson"], "uid": f"k{i:04d}",
                                "cn": f"K {i}", "sn": "K", "telephoneNumber": "425-555-0100"})
        for i in range(USERS)
    )  # fmt: skip
    return ou


@pytest.mark.parametrize(
    ("marker", "nth"),
    [("Read", 1), ("Synchronized", 1), ("Synchronized", 2)],
)
def test_a_killed_sync_does_not_block_the_next(
    ldap_sync: Services, data_file: Path, filled_ou: str, add_item: AddItem, marker: str, nth: int
) -> None:
    add_item("container", filled_ou)
    actor = Actor("sync", str(data_file), marker, str(nth), module="tests.faults.actor")
    actor.wait_for(lambda line: line == "stopped", timeout=120)
    assert ldap_sync.sync.running_elsewhere()  # alive and holding the lease
    assert ldap_sync.sync.history.last_run().status == "running"  # type: ignore[union-attr]
    actor.kill()

    assert not ldap_sync.sync.running_elsewhere()
    last = ldap_sync.sync.history.last_run()
    assert last is not None and last.status == "interrupted"
    section = status_section(ldap_sync)
    assert not any("running" in line for line in section.lines), section.lines
    result = ldap_sync.sync.run(full=True)  # at once: no "already running ... pid N"
    assert result.status == "succeeded", result.message
    assert ldap_sync.users.count()[0] == USERS


def test_a_killed_service_is_shown_as_not_running(services: Services, data_file: Path) -> None:
    """The service's heartbeat lease of a killed process no longer says "Running"."""
    from datetime import timedelta

    from mfa_console.core.db.lease import Lease

    lease_holder = Actor("lease", str(data_file), "service", "1", module="tests.faults.actor")
    lease_holder.wait_for(lambda line: line == "stopped", timeout=60)
    assert service_section(services).facts["running"]
    lease_holder.kill()
    assert not service_section(services).facts["running"]
    Lease(services.db, "service", timedelta(minutes=5)).acquire().release()  # free at once


def test_a_sync_on_a_full_disk_says_so_and_the_next_run_completes(
    tmp_path: Path, slapd: SlapdServer, test_cas: TestCAs, filled_ou: str
) -> None:
    with mount_small_disk(tmp_path / "disk", "16m") as disk:
        data = disk.root / "console.db"
        services = open_services(data)
        try:
            configure_ldap(services, slapd, test_cas)
            services.sync.items.add(SyncItem(scope="container", dn=filled_ou))
        finally:
            services.close()
        disk.fill(leave=150_000)
        done = subprocess.run(
            [sys.executable, "-m", "mfa_console", "--data", str(data), "sync", "run", "--full"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "the disk is full" in (done.stdout + done.stderr).lower(), done.stderr
        assert str(data) in done.stdout + done.stderr
        disk.free()
        services = open_services(data)
        try:
            last = services.sync.history.last_run()
            assert last is not None and last.status != "running"
            assert last.counts["added"] == services.users.count()[0]  # what was really written
            result = services.sync.run(full=True)
            assert result.status == "succeeded", result.message
            assert services.users.count()[0] == USERS
        finally:
            services.close()
