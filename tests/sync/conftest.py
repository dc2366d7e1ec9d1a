"""Synchronization tests run against the real slapd and Samba AD DC of tests/services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

import pytest

from mfa_console.app import Services
from mfa_console.core.directory.settings import PASSWORD_SECRET, DirectorySettings
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.settings import SyncSettings
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer


def configure_ldap(
    services: Services, server: SlapdServer, cas: TestCAs, **changes: object
) -> None:
    values: dict[str, object] = {
        "servers": (server.url,),
        "security": "starttls",
        "ca_file": str(cas.trusted.ca_file),
        "bind": "simple",
        "bind_dn": server.reader_dn,
        "base_dn": server.suffix,
        "page_size": 200,
        **changes,
    }
    settings = replace(DirectorySettings.defaults("ldap"), **values)  # type: ignore[arg-type]
    services.settings.save(settings)
    services.secrets.set(PASSWORD_SECRET, server.reader_pw)


def configure_ad(services: Services, dc: SambaDC, cas: TestCAs) -> None:
    settings = replace(
        DirectorySettings.defaults("ad"),
        servers=(dc.ldaps_url,),
        security="ldaps",
        ca_file=str(cas.trusted.ca_file),
        bind="simple",
        bind_dn=dc.admin_upn,
        base_dn=dc.base_dn,
    )
    services.settings.save(settings)
    services.secrets.set(PASSWORD_SECRET, dc.admin_pw)


def set_sync(services: Services, **changes: object) -> None:
    services.settings.save(replace(services.sync.settings(), **changes))  # type: ignore[arg-type]


@pytest.fixture
def ldap_sync(services: Services, slapd: SlapdServer, test_cas: TestCAs) -> Services:
    configure_ldap(services, slapd, test_cas)
    return services


@pytest.fixture
def ou(slapd: SlapdServer) -> str:
    """A fresh OU of the session's slapd for one test."""
    return slapd.add_ou(f"t{uuid.uuid4().hex[:8]}")


AddItem = Callable[..., SyncItem]


@pytest.fixture
def add_item(services: Services) -> AddItem:
    def add(scope: str, dn: str, **changes: object) -> SyncItem:
        return services.sync.items.add(SyncItem(scope=scope, dn=dn, **changes))  # type: ignore[arg-type]

    return add


__all__ = ["SyncSettings", "configure_ad", "configure_ldap", "set_sync"]
