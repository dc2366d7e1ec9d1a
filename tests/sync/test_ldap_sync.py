"""Synchronization from a real OpenLDAP slapd: containers, groups, identity, safety, idempotence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.core.db.models import UserRow
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem, set_sync

pytestmark = pytest.mark.both_databases


def _users(services: Services) -> dict[str, UserRow]:
    with services.db.read() as session:
        return {row.username: row for row in session.scalars(select(UserRow))}


def test_container_item_adds_then_changes_nothing(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    slapd.add_user(
        "ann",
        ou,
        givenName="Ann",
        sn="Lee",
        mail="ann@example.test",
        telephoneNumber="425-555-0100 x12",
        mobile="+44 20 7946 0958",
    )
    slapd.add_user("bob", ou, telephoneNumber="12")
    add_item(
        "container",
        ou,
        method="text-message",
        mode="otp-pin",
        languages={"text-message": "fr"},
        backup_phone_attribute="mobile",
    )

    first = ldap_sync.sync.run(full=True)

    assert first.status == "succeeded", first.message
    assert (first.counts.added, first.counts.errors) == (2, 1)
    users = _users(ldap_sync)
    ann, bob = users["ann"], users["bob"]
    assert (ann.first_name, ann.last_name, ann.email) == ("Ann", "Lee", "ann@example.test")
    assert (ann.phone, ann.extension, ann.backup_phone) == ("+14255550100", "12", "+442079460958")
    assert (ann.method, ann.mode, ann.language_text_message) == ("text-message", "otp-pin", "fr")
    assert ann.source == "directory" and ann.enabled
    assert bob.phone is None  # "12" is no phone number: synced without it, reported as an error
    changes = ldap_sync.sync.history.changes(first.run_id or 0)
    assert any(c.action == "error" and c.username == "bob" and "Phone" in c.detail for c in changes)

    second = ldap_sync.sync.run(full=True)

    assert (second.counts.added, second.counts.updated, second.counts.unchanged) == (0, 0, 2)
    assert second.counts.disabled == second.counts.removed == 0
    assert {u: r.version for u, r in _users(ldap_sync).items()} == {"ann": 1, "bob": 1}


def test_rename_and_move_keep_identity(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    sub = slapd.add_ou("sub", ou)
    dn = slapd.add_user("carl", ou, mail="carl@example.test")
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    before = _users(ldap_sync)["carl"]

    moved = slapd.rename(dn, "uid=carla", sub)
    result = ldap_sync.sync.run(full=True)

    assert (result.counts.added, result.counts.updated, result.counts.disabled) == (0, 1, 0)
    after = _users(ldap_sync)
    assert "carl" not in after
    assert after["carla"].id == before.id
    assert after["carla"].directory_id == before.directory_id
    assert after["carla"].dn.lower() == moved.lower()


def test_deleted_user_is_disabled_or_removed(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    dan = slapd.add_user("dan", ou)
    eve = slapd.add_user("eve", ou)
    slapd.add_user("fay", ou)
    add_item("container", ou, on_removed="disable")
    ldap_sync.sync.run(full=True)

    slapd.delete(dan)
    result = ldap_sync.sync.run(full=True)
    assert (result.counts.disabled, result.counts.removed) == (1, 0)
    assert not _users(ldap_sync)["dan"].enabled

    set_sync(ldap_sync, remove_missing=True)
    slapd.delete(eve)
    result = ldap_sync.sync.run(full=True)
    assert (result.counts.disabled, result.counts.removed) == (0, 2)
    assert set(_users(ldap_sync)) == {"fay"}


def test_group_and_nested_group_items(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    gus = slapd.add_user("gus", ou)
    hal = slapd.add_user("hal", ou)
    ivy = slapd.add_user("ivy", ou)
    inner = slapd.add_group(f"inner-{ou[3:11]}", [hal], parent=ou)
    outer = slapd.add_group(f"outer-{ou[3:11]}", [gus, inner], parent=ou)
    add_item("group", outer, nested=True, on_removed="disable")

    result = ldap_sync.sync.run(full=True)
    assert result.counts.added == 2
    assert set(_users(ldap_sync)) == {"gus", "hal"}

    slapd.modify(outer, member=[inner])  # gus leaves the group
    slapd.modify(inner, member=[hal, ivy])  # ivy joins through the nested group
    result = ldap_sync.sync.run(full=True)

    assert (result.counts.added, result.counts.disabled) == (1, 1)
    users = _users(ldap_sync)
    assert not users["gus"].enabled and users["hal"].enabled and users["ivy"].enabled
    changes = ldap_sync.sync.history.changes(result.run_id or 0)
    assert any(c.action == "disable" and "no longer" in c.detail for c in changes)


def test_first_matching_item_wins(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    jo = slapd.add_user("jo", ou)
    group = slapd.add_group(f"g-{ou[3:11]}", [jo], parent=ou)
    add_item("group", group, method="mobile-app")
    add_item("container", ou, method="phone-call")
    slapd.add_user("kim", ou)

    ldap_sync.sync.run(full=True)

    users = _users(ldap_sync)
    assert (users["jo"].method, users["kim"].method) == ("mobile-app", "phone-call")


def test_dry_run_changes_nothing(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    slapd.add_user("lea", ou)
    gone = slapd.add_user("max", ou)
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    slapd.delete(gone)
    slapd.add_user("ned", ou)
    runs_before = len(ldap_sync.sync.history.runs())

    plan = ldap_sync.sync.run(full=True, dry_run=True)

    assert (plan.counts.added, plan.counts.disabled) == (1, 1)
    assert {(c.action, c.username) for c in plan.changes} >= {("add", "ned"), ("disable", "max")}
    users = _users(ldap_sync)
    assert set(users) == {"lea", "max"} and users["max"].enabled
    assert len(ldap_sync.sync.history.runs()) == runs_before


def test_approval_threshold_holds_disables(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    dns = [slapd.add_user(f"p{i}", ou) for i in range(4)]
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    set_sync(ldap_sync, approval_threshold=2)
    for dn in dns[:3]:
        slapd.delete(dn)
    slapd.add_user("q", ou)

    result = ldap_sync.sync.run(full=True)

    assert (result.counts.added, result.counts.disabled, result.counts.pending_approval) == (
        1,
        0,
        3,
    )
    assert all(u.enabled for u in _users(ldap_sync).values())
    assert {p.username for p in ldap_sync.sync.history.pending()} == {"p0", "p1", "p2"}

    approved = ldap_sync.sync.approve()

    assert approved.counts.disabled == 3
    users = _users(ldap_sync)
    assert sorted(u for u in users if not users[u].enabled) == ["p0", "p1", "p2"]
    assert ldap_sync.sync.history.pending() == []


def test_wrong_bind_password_changes_nothing(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    from mfa_console.core.directory.settings import PASSWORD_SECRET

    slapd.add_user("ola", ou)
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    ldap_sync.secrets.set(PASSWORD_SECRET, "wrong")

    result = ldap_sync.sync.run(full=True)

    assert result.status == "failed"
    assert "Nobody was disabled or removed" in result.message
    assert _users(ldap_sync)["ola"].enabled
    assert ldap_sync.sync.history.last_run().status == "failed"  # type: ignore[union-attr]


def test_held_changes_notify_the_administrators_once(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    from mfa_console.core.mail.settings import EmailSettings

    ldap_sync.settings.save(EmailSettings(
        server="smtp.example.com", from_address="mfa@example.com",
        admin_addresses="admin@example.com, ops@example.com",
    ))  # fmt: skip
    dns = [slapd.add_user(f"n{i}", ou) for i in range(4)]
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    set_sync(ldap_sync, approval_threshold=2)
    for dn in dns[:3]:
        slapd.delete(dn)
    ldap_sync.sync.run(full=True)
    ldap_sync.sync.run(full=True)  # the same changes still wait: no second notice
    notices = [m for m in ldap_sync.mail.outbox() if m.template == "sync-approval"]
    assert sorted(m.recipient for m in notices) == ["admin@example.com", "ops@example.com"]
