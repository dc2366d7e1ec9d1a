"""Connections: LDAPS and StartTLS with trusted and untrusted CAs, bind errors, failover."""

from __future__ import annotations

import dataclasses

import pytest

from mfa_console.core.directory.connection import connect
from mfa_console.core.directory.errors import (
    DirectoryBindError,
    DirectoryTlsError,
    DirectoryUnreachableError,
    ad_sub_code,
)
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ValidationError
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer, free_port


def test_starttls_with_trusted_ca_binds(ldap_settings: DirectorySettings, slapd: SlapdServer):
    with connect(ldap_settings, slapd.reader_pw) as connection:
        assert connection.server_url == f"ldap://localhost:{slapd.port}"
        assert connection.conn.tls_started
        assert connection.conn.extend.standard.who_am_i() == f"dn:{slapd.reader_dn}"


def test_ldaps_with_trusted_ca_binds(ldap_settings: DirectorySettings, slapd: SlapdServer):
    settings = dataclasses.replace(ldap_settings, servers=(slapd.ldaps_url,), security="ldaps")
    with connect(settings, slapd.reader_pw) as connection:
        assert connection.conn.bound


@pytest.mark.parametrize("security", ["ldaps", "starttls"])
def test_untrusted_ca_is_refused(
    ldap_settings: DirectorySettings, slapd: SlapdServer, test_cas: TestCAs, security: str
):
    url = slapd.ldaps_url if security == "ldaps" else slapd.url
    settings = dataclasses.replace(
        ldap_settings,
        servers=(url,),
        security=security,
        ca_file=str(test_cas.untrusted.ca_file),
    )
    with pytest.raises(DirectoryTlsError, match="not trusted"):
        connect(settings, slapd.reader_pw)


def test_name_not_in_certificate_is_refused(ldap_settings: DirectorySettings, slapd: SlapdServer):
    # A name that resolves to 127.0.0.1 but is not in the certificate: a loopback alias.
    import socket

    alias = next(
        (n for n in ("vm", "runsc", socket.gethostname()) if _loopback(n)),
        None,
    )
    if alias is None or alias in ("localhost", "dc1.example.test"):
        pytest.skip("no loopback alias outside the certificate's names on this machine")
    settings = dataclasses.replace(ldap_settings, servers=(f"ldap://{alias}:{slapd.port}",))
    with pytest.raises(DirectoryTlsError):
        connect(settings, slapd.reader_pw)


def _loopback(name: str) -> bool:
    import socket

    try:
        return socket.gethostbyname(name) == "127.0.0.1"
    except OSError:
        return False


def test_wrong_password_on_ldap(ldap_settings: DirectorySettings):
    with pytest.raises(DirectoryBindError, match="invalidCredentials"):
        connect(ldap_settings, "wrong")


def test_no_password_stored_is_explained(ldap_settings: DirectorySettings):
    with pytest.raises(DirectoryBindError, match="No bind password"):
        connect(ldap_settings, None)


def test_failover_to_backup_server(ldap_settings: DirectorySettings, slapd: SlapdServer):
    dead = f"ldap://localhost:{free_port()}"
    settings = dataclasses.replace(ldap_settings, servers=(dead, slapd.url))
    with connect(settings, slapd.reader_pw) as connection:
        assert connection.server_url == f"ldap://localhost:{slapd.port}"
        assert "refused" in connection.skipped[0]


def test_all_servers_down(ldap_settings: DirectorySettings, make_slapd):
    server = make_slapd()
    server.stop()
    settings = dataclasses.replace(ldap_settings, servers=(server.url,))
    with pytest.raises(DirectoryUnreachableError, match="refused"):
        connect(settings, "x")


def test_validation_names_the_problems():
    with pytest.raises(ValidationError) as info:
        DirectorySettings(servers=("ldaps://dc1",), security="starttls", bind_dn="").validate()
    assert {"servers", "bind_dn", "base_dn"} <= set(info.value.problems)


# --- Active Directory (Samba) --------------------------------------------------------------
def test_ad_ldaps_bind_by_upn_and_by_dn(ad_settings: DirectorySettings, samba_ad: SambaDC):
    with connect(ad_settings, samba_ad.admin_pw) as connection:
        assert connection.conn.bound
    by_dn = dataclasses.replace(ad_settings, bind_dn=samba_ad.admin_dn)
    with connect(by_dn, samba_ad.admin_pw) as connection:
        assert connection.conn.bound


def test_ad_starttls(ad_settings: DirectorySettings, samba_ad: SambaDC):
    settings = dataclasses.replace(ad_settings, servers=(samba_ad.url,), security="starttls")
    with connect(settings, samba_ad.admin_pw) as connection:
        assert connection.conn.tls_started


def test_ad_untrusted_ca(ad_settings: DirectorySettings, samba_ad: SambaDC, test_cas: TestCAs):
    settings = dataclasses.replace(ad_settings, ca_file=str(test_cas.untrusted.ca_file))
    with pytest.raises(DirectoryTlsError, match="not trusted"):
        connect(settings, samba_ad.admin_pw)


def test_ad_wrong_password_decodes_52e(ad_settings: DirectorySettings):
    with pytest.raises(DirectoryBindError) as info:
        connect(ad_settings, "Wrong-password-1")
    assert "52e" in info.value.message and "password is wrong" in info.value.message


def test_ad_locked_account_decodes_775(ad_settings: DirectorySettings, samba_ad: SambaDC):
    ou = samba_ad.create_ou("lock")
    samba_ad.create_user("locky", ou)
    settings = dataclasses.replace(ad_settings, bind_dn="locky@example.test")
    for _ in range(3):
        with pytest.raises(DirectoryBindError):
            connect(settings, "Wrong-password-1")
    with pytest.raises(DirectoryBindError) as info:
        connect(settings, samba_ad.user_pw)
    assert "775" in info.value.message and "locked" in info.value.message


def test_ad_must_change_password_decodes_773(ad_settings: DirectorySettings, samba_ad: SambaDC):
    ou = samba_ad.create_ou("expired")
    dn = samba_ad.create_user("changer", ou)
    samba_ad.modify(dn, pwdLastSet="0")
    settings = dataclasses.replace(ad_settings, bind_dn="changer@example.test")
    with pytest.raises(DirectoryBindError) as info:
        connect(settings, samba_ad.user_pw)
    assert "773" in info.value.message and "change its password" in info.value.message


def test_ad_plain_bind_needs_tls(ad_settings: DirectorySettings, samba_ad: SambaDC):
    settings = dataclasses.replace(ad_settings, servers=(samba_ad.url,), security="none")
    with pytest.raises(DirectoryBindError) as info:
        connect(settings, samba_ad.admin_pw)
    assert "strongerAuthRequired" in info.value.message
    assert "LDAPS or StartTLS" in info.value.hint


def test_ad_sub_code_parsing():
    text = "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839"
    assert ad_sub_code(text) == "52e"
    assert ad_sub_code("no code") == ""


def test_anonymous_bind(ldap_settings: DirectorySettings, slapd: SlapdServer):
    settings = dataclasses.replace(ldap_settings, bind="anonymous", bind_dn="")
    with connect(settings, None) as connection:
        assert connection.conn.extend.standard.who_am_i() in (None, "")
