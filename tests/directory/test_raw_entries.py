"""Raw entry decoding gives ldap3's own raw values, and leaves other searches alone."""

from __future__ import annotations

import uuid

import ldap3

from mfa_console.core.directory.connection import connect
from mfa_console.core.directory.reader import paged_entries, to_user, user_attributes
from mfa_console.core.directory.settings import DirectorySettings
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer


def _both(settings: DirectorySettings, password: str, base: str) -> tuple[list, list]:
    attrs = [*user_attributes(settings), "objectClass"]
    with connect(settings, password) as connection:
        conn = connection.conn
        standard = list(paged_entries(conn, settings, base, settings.user_filter, attrs))
        raw = list(paged_entries(conn, settings, base, settings.user_filter, attrs, raw=True))
    return standard, raw


def _raw_view(entry: dict) -> tuple[str, dict[str, list[bytes]]]:
    values = {k.lower(): list(v) for k, v in entry["raw_attributes"].items() if v}
    return entry["dn"], values


def test_raw_decoding_matches_ldap3_on_active_directory(
    ad_settings: DirectorySettings, samba_ad: SambaDC
):
    ou = samba_ad.create_ou("raw")
    samba_ad.create_user("rawuser", ou, given="Zoë", sn="Ünïcode", mail="raw@example.test",
                         telephoneNumber="+1 425 555 0100", mobile="+44 7700 900123")  # fmt: skip
    samba_ad.create_user("plain", ou, disabled=True)
    standard, raw = _both(ad_settings, samba_ad.admin_pw, ou)
    assert len(standard) == len(raw) == 2
    assert sorted(map(_raw_view, raw)) == sorted(map(_raw_view, standard))
    assert all(len(e["raw_attributes"]["objectGUID"][0]) == 16 for e in raw)  # binary, untouched
    by_dn = {e["dn"]: to_user(e, ad_settings) for e in standard}
    assert {e["dn"]: to_user(e, ad_settings) for e in raw} == by_dn
    assert {u.first_name for u in by_dn.values()} == {"Zoë", ""}


def test_raw_decoding_matches_ldap3_on_openldap(
    ldap_settings: DirectorySettings, slapd: SlapdServer
):
    ou = slapd.add_ou(f"raw-{uuid.uuid4().hex[:6]}")
    for i in range(12):
        slapd.add_user(f"r{i:02d}-{ou[3:9]}", ou, mail=f"r{i}@example.test")
    standard, raw = _both(ldap_settings, slapd.reader_pw, ou)
    assert len(raw) == 12
    assert sorted(map(_raw_view, raw)) == sorted(map(_raw_view, standard))
    # ldap3 adds an empty list for each attribute asked for but absent; nothing else is formatted
    assert not any(any(e["attributes"].values()) for e in raw)
    assert all(e["attributes"]["mail"] for e in standard)


def test_a_search_between_raw_entries_decodes_as_usual(
    ldap_settings: DirectorySettings, slapd: SlapdServer
):
    ou = slapd.add_ou(f"mix-{uuid.uuid4().hex[:6]}")
    for i in range(5):
        slapd.add_user(f"m{i}-{ou[3:9]}", ou)
    with connect(ldap_settings, slapd.reader_pw) as connection:
        conn = connection.conn
        entries = paged_entries(
            conn, ldap_settings, ou, ldap_settings.user_filter, ["uid"], raw=True
        )
        first = next(entries)
        conn.search(ou, "(objectClass=organizationalUnit)", ldap3.BASE, attributes=["ou"])
        assert conn.response[0]["attributes"]["ou"]  # formatted: the switch is off here
        rest = list(entries)
    assert not any(first["attributes"].values()) and len(rest) == 4
    assert "decode_response_fast" not in vars(conn.strategy)  # the class's method again
