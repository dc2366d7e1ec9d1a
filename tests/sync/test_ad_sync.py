"""Synchronization from a real Samba Active Directory DC: objectGUID identity, userAccountControl,
nested groups, uSNChanged incremental reads."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.core.db.models import UserRow
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.sync.items import SyncItem
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.sync.conftest import configure_ad


@pytest.fixture
def ad(services: Services, samba_ad: SambaDC, test_cas: TestCAs) -> Services:
    configure_ad(services, samba_ad, test_cas)
    return services


def _users(services: Services) -> dict[str, UserRow]:
    with services.db.read() as session:
        return {row.username.split("@")[0]: row for row in session.scalars(select(UserRow))}


def _sam() -> str:
    return f"u{uuid.uuid4().hex[:8]}"


def test_ou_item_disabled_user_rename_move_delete(ad: Services, samba_ad: SambaDC) -> None:
    ou = samba_ad.create_ou("sync")
    other = samba_ad.create_ou("sub", ou)
    a, b, c = _sam(), _sam(), _sam()
    a_dn = samba_ad.create_user(a, ou, given="Ann", sn="Ad", telephoneNumber="+1 425 555 0101")
    b_dn = samba_ad.create_user(b, ou, mobile="(425) 555-0102")
    samba_ad.create_user(c, ou, disabled=True)
    ad.sync.items.add(SyncItem(scope="container", dn=ou, phone_attribute="mobile"))

    first = ad.sync.run(full=True)

    assert first.status == "succeeded", first.message
    users = _users(ad)
    assert first.counts.added == 3 and not users[c].enabled  # disabled in AD: added disabled
    guid = str(uuid.UUID(bytes_le=samba_ad.object_guid(a_dn)))
    assert users[a].directory_id == guid and users[a].first_name == "Ann"
    assert users[b].phone == "+14255550102"

    samba_ad.set_disabled(b_dn)
    samba_ad.set_disabled(f"CN={c},{ou}", False)
    moved = samba_ad.move(samba_ad.rename(a_dn, "Ann Renamed"), other)
    result = ad.sync.run(full=True)

    users = _users(ad)
    assert (result.counts.added, result.counts.updated, result.counts.disabled) == (0, 2, 1)
    assert not users[b].enabled
    assert users[c].enabled  # added disabled because AD said so; enabled again with AD
    assert users[a].dn == moved and users[a].directory_id == guid  # same user, new DN

    samba_ad.set_disabled(b_dn, False)
    samba_ad.delete(b_dn)
    result = ad.sync.run(full=True)
    assert result.counts.disabled == 0  # already disabled by the sync; deleted stays disabled


def test_nested_group_membership_and_incremental(ad: Services, samba_ad: SambaDC) -> None:
    ou = samba_ad.create_ou("grp")
    d, e, f = _sam(), _sam(), _sam()
    d_dn = samba_ad.create_user(d, ou, mail=f"{d}@example.test")
    e_dn = samba_ad.create_user(e, ou)
    samba_ad.create_user(f, ou)
    inner = samba_ad.create_group(f"in-{d}", ou, [e_dn])
    outer = samba_ad.create_group(f"out-{d}", ou, [d_dn, inner])
    ad.sync.items.add(SyncItem(scope="group", dn=outer, nested=True, on_removed="remove"))

    first = ad.sync.run()
    assert first.kind == "full" and first.counts.added == 2
    assert set(_users(ad)) == {d, e}

    samba_ad.modify(d_dn, mail=f"new-{d}@example.test")
    result = ad.sync.run()
    assert result.kind == "incremental", result.message
    assert result.counts.updated == 1
    assert _users(ad)[d].email == f"new-{d}@example.test"

    samba_ad.remove_members(inner, [e_dn])
    result = ad.sync.run(full=True)
    assert (result.counts.removed, result.counts.disabled) == (0, 1)  # still in AD: disabled
    assert not _users(ad)[e].enabled


def test_deleted_removed_moved_out_of_base_disabled_and_back(
    ad: Services, samba_ad: SambaDC
) -> None:
    base = samba_ad.create_ou("base")
    elsewhere = samba_ad.create_ou("elsewhere")  # outside the base DN
    g, h, i = _sam(), _sam(), _sam()
    g_dn, h_dn = samba_ad.create_user(g, base), samba_ad.create_user(h, base)
    samba_ad.create_user(i, base)
    settings = ad.settings.load(DirectorySettings)
    ad.settings.save(replace(settings, base_dn=base))
    ad.sync.items.add(SyncItem(scope="container", dn=base, on_removed="remove"))
    ad.settings.save(replace(ad.sync.settings(), remove_missing=True))
    assert ad.sync.run(full=True).counts.added == 3
    user = ad.users.find(f"{g}@example.test")
    ad.users.update(user.id, user.version, replace(user.to_input(), method="oath-token"))

    moved = samba_ad.move(g_dn, elsewhere)
    samba_ad.delete(h_dn)
    result = ad.sync.run(full=True)

    assert (result.counts.removed, result.counts.disabled) == (1, 1), result.message
    changes = {c.username.split("@")[0]: c for c in ad.sync.history.changes(result.run_id or 0)}
    assert (changes[h].action, changes[h].detail) == ("remove", "deleted from the directory")
    assert changes[g].action == "disable" and "outside the base DN" in changes[g].detail

    samba_ad.move(moved, base)
    result = ad.sync.run(full=True)

    back = ad.users.find(f"{g}@example.test")
    assert back.enabled and back.method == "oath-token" and back.id == user.id
