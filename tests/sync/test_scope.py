"""Deleted from the directory versus out of scope, against the real slapd.

Only a user the directory no longer has (looked up by entryUUID, without the user filter, in every
naming context) may be removed. Users the filter, the items or the base DN no longer cover are
disabled, even under an item whose action is Remove, and come back with their own settings.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from mfa_console.app import Services
from mfa_console.core.progress import CancelToken
from mfa_console.core.sync.results import Change
from tests.services.fixtures import MakeSlapd, TestCAs
from tests.services.slapd import PEOPLE, SlapdServer
from tests.sync.conftest import AddItem, configure_ldap, set_sync

FILTER = "(&(objectClass=inetOrgPerson)(!(employeeType=excluded)))"


def _detail(changes: list[Change], username: str) -> tuple[str, str]:
    found = [(c.action, c.detail) for c in changes if c.username == username]
    assert len(found) == 1, found
    return found[0]


def _customise(services: Services, username: str) -> None:
    """The administrator's own settings, unlike the item's defaults (the phone is synced)."""
    user = services.users.find(username)
    data = replace(
        user.to_input(), phone="+14255550199", method="phone-call", mode="pin", pin="73915"
    )
    services.users.update(user.id, user.version, data)


def _settings(services: Services, username: str) -> tuple[Any, ...]:
    user = services.users.find(username)
    return user.method, user.mode, user.has_pin, user.enabled


def test_out_of_scope_users_are_disabled_and_come_back_with_their_settings(
    services: Services, slapd: SlapdServer, test_cas: TestCAs, add_item: AddItem
) -> None:
    base = slapd.add_ou(f"b{uuid.uuid4().hex[:8]}")
    inside, other = slapd.add_ou("in", base), slapd.add_ou("other", base)
    elsewhere = slapd.add_ou(f"x{uuid.uuid4().hex[:8]}")  # outside the base DN
    configure_ldap(services, slapd, test_cas, base_dn=base, user_filter=FILTER)
    dns = {name: slapd.add_user(name, inside) for name in ("filtered", "moved", "left", "gone")}
    slapd.add_user("stays", inside)
    add_item("container", inside, method="mobile-app", mode="standard", on_removed="remove")
    set_sync(services, remove_missing=True)
    assert services.sync.run(full=True).counts.added == 5
    for name in ("filtered", "moved", "left"):
        _customise(services, name)
    customised = _settings(services, "filtered")
    assert customised == ("phone-call", "pin", True, True)

    slapd.modify(dns["filtered"], employeeType="excluded")
    moved = slapd.rename(dns["moved"], "uid=moved", elsewhere)
    left = slapd.rename(dns["left"], "uid=left", other)
    slapd.delete(dns["gone"])
    result = services.sync.run(full=True)

    assert result.status == "succeeded", result.message
    assert (result.counts.removed, result.counts.disabled) == (1, 3)
    changes = services.sync.history.changes(result.run_id or 0)
    assert _detail(changes, "gone") == ("remove", "deleted from the directory")
    action, detail = _detail(changes, "filtered")
    assert action == "disable" and "user filter no longer matches" in detail
    assert "disabled, not removed" in detail
    assert "outside the base DN" in _detail(changes, "moved")[1]
    assert "no longer in any sync item" in _detail(changes, "left")[1]
    assert {u.username for u in services.users.iter_all()} == {
        "filtered", "moved", "left", "stays"
    }  # fmt: skip

    slapd.modify(dns["filtered"], employeeType="staff")
    slapd.rename(moved, "uid=moved", inside)
    slapd.rename(left, "uid=left", inside)
    result = services.sync.run(full=True)

    assert (result.counts.added, result.counts.removed, result.counts.disabled) == (0, 0, 0)
    for name in ("filtered", "moved", "left"):
        assert _settings(services, name) == customised, name  # not the item's mobile-app


def test_approval_and_notice_say_which_case(
    ldap_sync: Services, slapd: SlapdServer, test_cas: TestCAs, ou: str, add_item: AddItem
) -> None:
    notices: list[dict[str, str]] = []

    def notify(session: Session, template: str, values: dict[str, str]) -> None:
        notices.append(values)

    ldap_sync.sync.engine.notify = notify
    configure_ldap(ldap_sync, slapd, test_cas, user_filter=FILTER)
    dns = [slapd.add_user(f"a{i}", ou) for i in range(3)]
    add_item("container", ou, on_removed="remove")
    set_sync(ldap_sync, approval_threshold=1)
    ldap_sync.sync.run(full=True)
    slapd.delete(dns[0])
    slapd.modify(dns[1], employeeType="excluded")
    slapd.modify(dns[2], employeeType="excluded")

    result = ldap_sync.sync.run(full=True)

    assert result.counts.pending_approval == 3
    pending = {p.username: (p.action, p.reason) for p in ldap_sync.sync.history.pending()}
    assert pending["a0"] == ("remove", "deleted from the directory")  # the item's Remove
    assert pending["a1"][0] == "disable" and "user filter" in pending["a1"][1]
    assert notices[-1]["details"].startswith("Disable 2 users: out of scope: the user filter")
    assert notices[-1]["details"].endswith("Remove 1 user: deleted from the directory.")


def test_directory_value_refused_by_the_text_rules_skips_that_user(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    slapd.add_user("plain", ou, givenName="Ann")
    slapd.add_user("spoof", ou, givenName="Bob\u202eexe.txt")
    slapd.add_user("zwsp", ou, sn="Lee\u200b")
    add_item("container", ou)

    result = ldap_sync.sync.run(full=True)

    assert result.status == "succeeded", result.message
    assert (result.counts.added, result.counts.errors) == (1, 2)
    assert {u.username for u in ldap_sync.users.iter_all()} == {"plain"}
    changes = ldap_sync.sync.history.changes(result.run_id or 0)
    action, detail = _detail(changes, "spoof")
    assert action == "error" and "first name" in detail and "U+202E" in detail
    assert "\u202e" not in detail
    assert "U+200B" in _detail(changes, "zwsp")[1]


class StopServerBeforeLookup(CancelToken):
    """Stops the server once every item was read, just before the missing users are looked up."""

    def __init__(self, server: SlapdServer) -> None:
        super().__init__()
        self.server = server

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        if text.startswith("Synchronized") and self.server.running:
            self.server.stop()


def test_a_failed_lookup_never_makes_a_user_look_deleted(
    services: Services, make_slapd: MakeSlapd, test_cas: TestCAs, add_item: AddItem
) -> None:
    server = make_slapd()
    configure_ldap(services, server, test_cas, user_filter=FILTER)
    dns = [server.add_user(f"l{i}", PEOPLE) for i in range(3)]
    add_item("container", PEOPLE, on_removed="remove")
    set_sync(services, remove_missing=True)
    services.sync.run(full=True)
    server.delete(dns[0])
    server.modify(dns[1], employeeType="excluded")

    failed = services.sync.run(full=True, progress=StopServerBeforeLookup(server))

    assert failed.status == "failed" and "Nobody was disabled or removed" in failed.message
    assert services.users.count() == (3, 3)
    server.start()
    done = services.sync.run(full=True)
    assert (done.counts.removed, done.counts.disabled) == (1, 1)
