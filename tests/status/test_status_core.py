"""The status snapshot over empty, small and large data files."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mfa_console.app import Services
from mfa_console.core import status
from mfa_console.core.db.lease import Lease
from mfa_console.core.db.migrate import head_revisions
from mfa_console.core.status import StatusSection, recommended_memory_gb, snapshot
from tests.status.conftest import LARGE

pytestmark = pytest.mark.both_databases


def by_key(services: Services) -> dict[str, StatusSection]:
    return {section.key: section for section in snapshot(services)}


def test_empty_file(services: Services) -> None:
    sections = by_key(services)
    assert list(sections) == [
        "activation", "users", "data-file", "sync", "email", "authentication", "radius",
        "service", "sizing", "activity",
    ]  # fmt: skip
    for key in ("sync", "email"):
        assert sections[key].state == status.NOT_CONFIGURED
        assert sections[key].lines[0].startswith("Not configured")
    assert sections["radius"].state == status.NOT_CONFIGURED
    assert sections["radius"].facts["enabled"] is False
    assert sections["activation"].facts == {"activated": False}
    assert sections["users"].facts["total"] == 0
    assert sections["data-file"].facts["schema_revision"] == ",".join(sorted(head_revisions()))
    assert sections["data-file"].facts["last_backup"] is None
    assert sections["service"].facts["running"] is False
    assert sections["sizing"].facts["recommended_gb"] == 4
    assert sections["activity"].chart == ()


@pytest.mark.sqlite_only  # a backup of PostgreSQL: tests/core/test_postgresql_backup.py
def test_small_file(small: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    small.backup.create(tmp_path / "b.mfabackup")
    sections = by_key(small)
    users = sections["users"].facts
    assert (users["total"], users["enabled"], users["disabled"]) == (5, 4, 1)
    assert users["per_method"] == {
        "phone-call": 2, "text-message": 1, "mobile-app": 1, "oath-token": 1,
    }  # fmt: skip
    assert users["without_phone"] == 1
    assert sections["users"].state == status.WARNING
    assert sections["data-file"].facts["last_backup"] is not None
    chart = sections["activity"].chart
    assert [series.label for series in chart] == ["Users"]
    assert sum(chart[0].counts) == 6  # five adds and one disable, all today
    assert chart[0].counts[-1] == 6


def test_large_file_counts_in_sql(large: Services) -> None:
    users = by_key(large)["users"].facts
    assert users["total"] == LARGE
    assert users["disabled"] == len(range(0, LARGE, 7))
    assert users["without_phone"] == LARGE // 10
    assert users["per_method"] == dict.fromkeys(
        ("phone-call", "text-message", "mobile-app", "oath-token"), LARGE // 4
    )
    assert by_key(large)["sizing"].facts["recommended_gb"] == 8


def test_service_heartbeat(services: Services) -> None:
    with Lease(services.db, "service", timedelta(minutes=2)):
        section = by_key(services)["service"]
        assert section.state == status.OK and section.facts["running"]
    section = by_key(services)["service"]
    assert not section.facts["running"]


@pytest.mark.parametrize(
    ("users", "gigabytes"),
    [(0, 4), (10_000, 4), (10_001, 8), (50_001, 12), (100_001, 16), (200_000, 16), (200_001, 32)],
)
def test_sizing_guidance(users: int, gigabytes: int) -> None:
    assert recommended_memory_gb(users) == gigabytes


def test_a_failing_provider_shows_an_error_not_a_crash(services: Services) -> None:
    def broken_section(_services: Services) -> StatusSection:
        raise RuntimeError("bug")

    missing = status.feature_provider(
        "sync",
        "Directory synchronization",
        "directory",
        ("mfa_console.core.nothing_here.status",),
        "",
    )
    sections = snapshot(services, [broken_section, missing, status.users_section])
    assert sections[0].state == status.ERROR and "log" in sections[0].lines[0]
    assert sections[1].state == status.NOT_CONFIGURED
    assert sections[2].state == status.OK
