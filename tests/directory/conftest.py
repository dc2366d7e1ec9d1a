"""Directory tests run against the real slapd and Samba AD DC of tests/services."""

from __future__ import annotations

import dataclasses

import pytest

from mfa_console.core.directory.settings import DirectorySettings
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer


@pytest.fixture
def ldap_settings(slapd: SlapdServer, test_cas: TestCAs) -> DirectorySettings:
    """Generic LDAP over StartTLS with the trusted CA, bound as the reader account."""
    return dataclasses.replace(
        DirectorySettings.defaults("ldap"),
        servers=(slapd.url,),
        security="starttls",
        ca_file=str(test_cas.trusted.ca_file),
        bind_dn=slapd.reader_dn,
        base_dn=slapd.suffix,
    )


@pytest.fixture
def ad_settings(samba_ad: SambaDC, test_cas: TestCAs) -> DirectorySettings:
    """Active Directory over LDAPS with the trusted CA, bound by UPN as Administrator."""
    return dataclasses.replace(
        DirectorySettings.defaults("ad"),
        servers=(samba_ad.ldaps_url,),
        security="ldaps",
        ca_file=str(test_cas.trusted.ca_file),
        bind_dn=samba_ad.admin_upn,
        base_dn=samba_ad.base_dn,
    )
