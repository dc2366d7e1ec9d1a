"""The Status pane's synchronization section, from a real sync against slapd."""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core import status
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem, set_sync


def _section(services: Services) -> status.StatusSection:
    return {s.key: s for s in status.snapshot(services)}["sync"]


def test_sync_section_follows_the_runs(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    assert _section(ldap_sync).state == status.NOT_CONFIGURED
    slapd.add_user("stat1", ou, telephoneNumber="+1 425 555 0100")
    add_item("container", ou)
    set_sync(ldap_sync, enabled=True, interval_minutes=30)
    before = _section(ldap_sync)
    assert before.facts["last_run"] is None and "Never run" in before.lines[1]
    ldap_sync.sync.run(full=True)
    after = _section(ldap_sync)
    assert after.state == status.OK, after.lines
    assert after.facts["last_run"]["status"] == "succeeded"
    assert after.facts["next_run"] is not None and after.facts["pending_approval"] == 0


def test_synced_users_are_found_by_the_users_search(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    from mfa_console.core.users.query import UserQuery

    for name in ("zebedee", "zachary", "quentin"):
        slapd.add_user(name, ou, telephoneNumber="+1 425 555 0142")
    add_item("container", ou)
    ldap_sync.sync.run(full=True)
    assert [u.username for u in UserQuery(ldap_sync.db, "ebede").page(0, 10)] == ["zebedee"]
    assert UserQuery(ldap_sync.db, "5550142").count() == 3
