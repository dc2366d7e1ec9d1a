"""Fixtures for the Status and Logs tests: empty, small and large data files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_console.app import Services, open_services
from mfa_console.core.users.records import UserInput
from tests.backup.bulk import add_users

LARGE = 20_000


@pytest.fixture(scope="session")
def large_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.db"
    add_users(path, LARGE)
    return path


@pytest.fixture
def large(large_template: Path, tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "large.db"
    shutil.copy(large_template, path)
    services = open_services(path)
    yield services
    services.close()


@pytest.fixture
def small(services: Services) -> Services:
    """Five users through the real service: one disabled, one without a phone, all audited."""
    users = services.users
    users.add(UserInput(username="alice", phone="4255550101", method="phone-call"))
    users.add(UserInput(username="bob", phone="4255550102", method="text-message"))
    users.add(UserInput(username="carol", phone="4255550103", method="mobile-app"))
    users.add(UserInput(username="dave", phone="4255550104", method="phone-call"))
    erin = users.add(UserInput(username="erin", method="oath-token"))
    users.set_enabled([erin.id], False)
    return services
