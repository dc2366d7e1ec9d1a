"""Reading users (mapping, phones, identity, scopes) and importing them, against real servers."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from mfa_console.app import Services
from mfa_console.core.directory.connection import connect
from mfa_console.core.directory.errors import DirectoryReadError
from mfa_console.core.directory.identity import identity
from mfa_console.core.directory.importer import import_users
from mfa_console.core.directory.reader import read_users
from mfa_console.core.directory.records import ContainerScope, DirectoryUser, GroupScope
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.progress import CancelToken, NullProgress
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer


def _read(settings: DirectorySettings, password: str, scope) -> list[DirectoryUser]:
    with connect(settings, password) as connection:
        return list(read_users(connection, settings, scope, NullProgress()))


def _import(services: Services, records: list[DirectoryUser]):
    return import_users(services.db, services.settings, records, NullProgress())


def test_identity_canonical_forms():
    raw = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef").bytes_le
    assert identity(raw, "guid") == "01234567-89ab-cdef-0123-456789abcdef"
    assert identity("{01234567-89AB-CDEF-0123-456789ABCDEF}", "guid") == identity(raw, "guid")
    assert identity(b"01234567-89AB-CDEF-0123-456789ABCDEF", "string") == identity(raw, "guid")
    assert identity(b"emp-42", "ascii-bytes") == "emp-42"
    with pytest.raises(ValueError):
        identity("not a guid", "guid")


def test_ad_mapping_phones_and_disabled(ad_settings: DirectorySettings, samba_ad: SambaDC):
    ou = samba_ad.create_ou("map")
    dn = samba_ad.create_user(
        "mapped",
        ou,
        given="Mary",
        sn="Mapped",
        mail="mary@example.test",
        description="Finance",
        telephoneNumber="555-123-4567 x890",
        mobile="+44 20 7946 0958",
        homePhone="425-555-0100",
        ipPhone="1234",
    )
    samba_ad.create_user("off", ou, disabled=True)
    users = {u.username: u for u in _read(ad_settings, samba_ad.admin_pw, ContainerScope(ou))}
    mary = users["mapped@example.test"]
    assert (mary.first_name, mary.last_name, mary.email) == ("Mary", "Mapped", "mary@example.test")
    assert mary.description == "Finance"
    assert mary.phones == {
        "business": "555-123-4567 x890",
        "mobile": "+44 20 7946 0958",
        "home": "425-555-0100",
        "ip_phone": "1234",
    }
    assert mary.directory_id == str(uuid.UUID(bytes_le=samba_ad.object_guid(dn)))
    assert mary.dn == dn and not mary.disabled
    assert users["off@example.test"].disabled


def test_ad_username_falls_back_to_sam(ad_settings: DirectorySettings, samba_ad: SambaDC):
    ou = samba_ad.create_ou("noupn")
    samba_ad.create_user("samonly", ou, upn=None)
    (user,) = _read(ad_settings, samba_ad.admin_pw, ContainerScope(ou))
    assert user.username == "samonly"


@pytest.mark.parametrize("asq", [True, False], ids=["attribute-scope-query", "memberOf"])
def test_ad_groups_direct_and_nested(ad_settings: DirectorySettings, samba_ad: SambaDC, asq: bool):
    ad_settings = dataclasses.replace(ad_settings, attribute_scope_queries=asq)
    ou = samba_ad.create_ou("grp")
    x = "q" if asq else "m"
    a = samba_ad.create_user(f"ga{x}", ou)
    b = samba_ad.create_user(f"gb{x}", ou)
    inner = samba_ad.create_group(f"inner{x}", ou, [a])
    outer = samba_ad.create_group(f"outer{x}", ou, [inner, b])
    direct = _read(ad_settings, samba_ad.admin_pw, GroupScope(outer, nested=False))
    nested = _read(ad_settings, samba_ad.admin_pw, GroupScope(outer, nested=True))
    assert {u.username for u in direct} == {f"gb{x}@example.test"}
    assert {u.username for u in nested} == {f"ga{x}@example.test", f"gb{x}@example.test"}


def test_attribute_scope_query_reads_members_outside_the_base_dn(
    ad_settings: DirectorySettings, samba_ad: SambaDC
):
    """ASQ follows the group's member values wherever they are; a memberOf search cannot look
    outside the base DN. Both pages of a 3-user group come back with a page size of 2."""
    here = samba_ad.create_ou("asq-here")
    there = samba_ad.create_ou("asq-there")
    members = [samba_ad.create_user(f"asq{i}", there) for i in range(3)]
    group = samba_ad.create_group("asq-group", here, members)
    narrow = dataclasses.replace(ad_settings, base_dn=here, page_size=2)
    by_asq = _read(narrow, samba_ad.admin_pw, GroupScope(group, nested=False))
    assert sorted(u.username for u in by_asq) == [f"asq{i}@example.test" for i in range(3)]
    without = dataclasses.replace(narrow, attribute_scope_queries=False)
    assert _read(without, samba_ad.admin_pw, GroupScope(group, nested=False)) == []


def test_missing_scope_is_an_error_not_an_empty_list(
    ad_settings: DirectorySettings, samba_ad: SambaDC
):
    with pytest.raises(DirectoryReadError, match="does not exist"):
        _read(ad_settings, samba_ad.admin_pw, GroupScope(f"CN=nope,{samba_ad.base_dn}", True))
    with pytest.raises(DirectoryReadError, match="does not exist"):
        _read(ad_settings, samba_ad.admin_pw, ContainerScope(f"OU=nope,{samba_ad.base_dn}"))


def test_bad_filter_is_an_error(ad_settings: DirectorySettings, samba_ad: SambaDC):
    settings = dataclasses.replace(ad_settings, user_filter="(noSuchAttr~~=1)")
    with pytest.raises(Exception):  # noqa: B017 - ldap3 refuses it before sending, or the server
        _read(settings, samba_ad.admin_pw, ContainerScope(samba_ad.users_dn))


def test_ldap_paged_read_and_groups(ldap_settings: DirectorySettings, slapd: SlapdServer):
    ou = slapd.add_ou(f"paged-{uuid.uuid4().hex[:6]}")
    for i in range(25):
        slapd.add_user(f"p{i:02d}-{ou[3:9]}", ou, mail=f"p{i}@example.test")
    settings = dataclasses.replace(ldap_settings, page_size=7)
    users = _read(settings, slapd.reader_pw, ContainerScope(ou))
    assert len(users) == 25 and all(u.directory_id for u in users)
    dns = sorted(u.dn for u in users)
    inner = slapd.add_group(f"inner-{ou[3:9]}", dns[:3])
    outer = slapd.add_group(f"outer-{ou[3:9]}", [inner, dns[10]])
    assert len(_read(settings, slapd.reader_pw, GroupScope(outer, nested=False))) == 1
    assert len(_read(settings, slapd.reader_pw, GroupScope(outer, nested=True))) == 4


def test_ldap_server_stopped_mid_read_raises(ldap_settings: DirectorySettings, make_slapd):
    from tests.services.slapd import users_ldif

    server = make_slapd(preload=users_ldif(300))
    settings = dataclasses.replace(ldap_settings, servers=(server.url,), page_size=50)
    with connect(settings, server.reader_pw) as connection:
        reader = read_users(connection, settings, ContainerScope(server.people), NullProgress())
        next(reader)
        server.stop()
        with pytest.raises(DirectoryReadError):
            list(reader)


def test_import_counts_skips_and_identity(
    services: Services, ad_settings: DirectorySettings, samba_ad: SambaDC
):
    ou = samba_ad.create_ou("imp")
    other = samba_ad.create_ou("imp-moved")
    dn = samba_ad.create_user(
        "ivy",
        ou,
        given="Ivy",
        sn="Import",
        mail="ivy@example.com",
        telephoneNumber="555-123-4567 x890",
    )
    samba_ad.create_user("nophone", ou, given="No", sn="Phone")
    samba_ad.create_user("badphone", ou, telephoneNumber="12", mobile="425-555-0199")
    first = _import(services, _read(ad_settings, samba_ad.admin_pw, ContainerScope(ou)))
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0), first
    ivy = services.users.find("ivy@example.test")
    assert (ivy.phone, ivy.extension, ivy.enabled) == ("+15551234567", "890", True)
    assert ivy.directory_id == str(uuid.UUID(bytes_le=samba_ad.object_guid(dn)))
    assert not services.users.find("nophone@example.test").enabled  # phone method, no phone
    bad = services.users.find("badphone@example.test")
    assert bad.phone == "+14255550199"
    assert any("business phone left out" in note for _, note in first.warnings)

    # Unchanged on a second import; rename + move keeps the same user.
    again = _import(services, _read(ad_settings, samba_ad.admin_pw, ContainerScope(ou)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = samba_ad.move(samba_ad.rename(dn, "Ivy Renamed"), other)
    samba_ad.modify(moved, userPrincipalName="ivy.renamed@example.test")
    after = _import(services, _read(ad_settings, samba_ad.admin_pw, ContainerScope(other)))
    assert (after.created, after.updated) == (0, 1)
    renamed = services.users.find("ivy.renamed@example.test")
    assert renamed.id == ivy.id and renamed.dn == moved and renamed.phone == ivy.phone
    assert services.users.count()[0] == 3


def test_import_adopts_manual_user_and_skips_conflicts(services: Services):
    from mfa_console.core.users.records import UserInput

    services.users.add(UserInput(username="adopt@example.test", phone="425-555-0100"))
    services.users.add(
        UserInput(username="taken@example.test", directory_id="other-id", enabled=False)
    )
    records = [
        DirectoryUser(
            directory_id="id-1", dn="cn=a", username="adopt@example.test", email="a@example.com"
        ),
        DirectoryUser(directory_id="id-2", dn="cn=b", username="taken@example.test"),
        DirectoryUser(directory_id="", dn="cn=c", username="noid@example.test"),
        DirectoryUser(directory_id="id-4", dn="cn=d", username=""),
        DirectoryUser(directory_id="id-1", dn="cn=a", username="adopt@example.test"),
        DirectoryUser(directory_id="id-5", dn="cn=e", username="e@example.com", email="e@@x"),
    ]
    result = _import(services, records)
    assert (result.created, result.updated) == (1, 1), result
    assert services.users.find("e@example.com").email == ""
    assert "email left out" in dict(result.warnings)["e@example.com"]
    reasons = dict(result.skipped)
    assert "another directory user" in reasons["taken@example.test"]
    assert "no unique identifier" in reasons["noid@example.test"]
    assert "no username" in reasons["cn=d"]
    assert "listed twice" in reasons["adopt@example.test"]
    adopted = services.users.find("adopt@example.test")
    assert adopted.directory_id == "id-1" and adopted.source == "directory"
    assert adopted.enabled


def test_import_never_disables_and_cancel_keeps_batches(services: Services):
    from mfa_console.core.directory import importer
    from mfa_console.core.users.records import UserInput

    services.users.add(UserInput(username="keep@example.test", phone="425-555-0100"))
    records = [
        DirectoryUser(directory_id="k", dn="cn=k", username="keep@example.test", disabled=True)
    ]
    result = _import(services, records)
    assert result.updated == 1 and services.users.find("keep@example.test").enabled

    token = CancelToken()
    many = (
        DirectoryUser(directory_id=f"c{i}", dn=f"cn=c{i}", username=f"c{i}@example.test")
        for i in range(importer.BATCH_SIZE * 3)
    )

    def cancel_after_first_batch():
        for i, record in enumerate(many):
            if i == importer.BATCH_SIZE + 1:
                token.cancel()
            yield record

    from mfa_console.core.errors import CancelledError

    with pytest.raises(CancelledError):
        import_users(services.db, services.settings, cancel_after_first_batch(), token)
    assert services.users.count()[0] == 1 + importer.BATCH_SIZE


def test_query_size_limit_caps_lists_and_searches_only(
    ldap_settings: DirectorySettings, slapd: SlapdServer
):
    from mfa_console.core.directory import browse

    ou = slapd.add_ou(f"limit-{uuid.uuid4().hex[:6]}")
    tag = ou[3:12]
    for i in range(12):
        slapd.add_user(f"lim{i:02d}{tag}", ou)
    capped = dataclasses.replace(ldap_settings, size_limit=5, page_size=4)
    with connect(capped, slapd.reader_pw) as connection:
        listed, truncated = browse.list_users(connection, capped, ContainerScope(ou))
        assert (len(listed), truncated) == (5, True)
        found, truncated = browse.search_users(connection, capped, "lim")
        assert (len(found), truncated) == (5, True)
        # a read for an import or a sync is never capped
        assert len(list(read_users(connection, capped, ContainerScope(ou), NullProgress()))) == 12
    unlimited = dataclasses.replace(capped, size_limit=0)
    with connect(unlimited, slapd.reader_pw) as connection:
        listed, truncated = browse.list_users(connection, unlimited, ContainerScope(ou))
        assert (len(listed), truncated) == (12, False)
    with pytest.raises(Exception, match="size limit"):
        dataclasses.replace(ldap_settings, size_limit=-1).validate()


def test_global_catalog_reads_like_a_domain_controller(
    ad_settings: DirectorySettings, samba_ad: SambaDC
):
    """Several domains of one forest are read through the Global Catalog (LDAPS 3269, StartTLS
    3268) with the forest root as base DN: users, phones and groups."""
    ou = samba_ad.create_ou("gc")
    user = samba_ad.create_user(
        "gcuser", ou, mail="gc@example.test", telephoneNumber="+1 425 555 0100"
    )
    group = samba_ad.create_group("gcgroup", ou, [user])
    for url, security in (
        ("ldaps://localhost:3269", "ldaps"),
        ("ldap://localhost:3268", "starttls"),
    ):
        settings = dataclasses.replace(ad_settings, servers=(url,), security=security)
        users = _read(settings, samba_ad.admin_pw, ContainerScope(ou))
        assert [(u.username, u.email, u.phones) for u in users] == [
            ("gcuser@example.test", "gc@example.test", {"business": "+1 425 555 0100"})
        ]
        members = _read(settings, samba_ad.admin_pw, GroupScope(group, nested=False))
        assert [u.directory_id for u in members] == [users[0].directory_id]
