"""Fixtures for the Users pane, its model, the user dialog and Company Settings: real data files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_console.app import Services, open_services
from mfa_console.core.users.records import UserInput
from tests.users_gui.data import insert_users


@pytest.fixture
def many_users(tmp_path: Path) -> Iterator[Services]:
    """Services over a file with 600 users (more than two model pages)."""
    svc = open_services(tmp_path / "many.db")
    insert_users(svc, 600)
    yield svc
    svc.close()


@pytest.fixture
def few_users(services: Services) -> Services:
    """Services with three users added through the service (validated, audited)."""
    services.users.add(
        UserInput(
            "ann.smith@contoso.com", "Ann", "Smith", "ann.smith@contoso.com", phone="425-555-0100"
        )
    )
    services.users.add(
        UserInput("bob.jones@contoso.com", "Bob", "Jones", phone="(206) 555-0199", enabled=False)
    )
    services.users.add(
        UserInput("carol@contoso.com", "Carol", "Lee", method="mobile-app", mode="standard")
    )
    return services
