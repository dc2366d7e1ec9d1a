"""The Status pane's synchronization section, from a real sync against slapd."""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core import status
from mfa_console.core.db.lease import Lease
from mfa_console.core.service.loop import HEARTBEAT_TTL
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
    # Scheduling is on but no background service runs: the next run will not happen by itself.
    stalled = _section(ldap_sync)
    assert stalled.state == status.WARNING and not stalled.facts["service_running"]
    assert "background service has never run" in stalled.lines[2]
    assert any("start the MFA Console service" in line for line in stalled.lines)
    # The service's heartbeat is its lease, held while it runs.
    with Lease(ldap_sync.db, "service", HEARTBEAT_TTL).acquire():
        after = _section(ldap_sync)
    assert after.state == status.OK, after.lines
    assert after.facts["last_run"]["status"] == "succeeded"
    assert after.facts["next_run"] is not None and after.facts["pending_approval"] == 0
    assert after.lines[2].startswith("Next run ") and after.facts["service_running"]


def test_a_failed_run_gives_its_reason(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    import dataclasses

    add_item("container", ou)
    settings = ldap_sync.directory.load()
    ldap_sync.directory.save(dataclasses.replace(settings, servers=("ldap://127.0.0.1:9",)))
    result = ldap_sync.sync.run(full=True)
    assert result.status == "failed" and result.message
    section = _section(ldap_sync)
    assert section.state == status.ERROR
    assert result.message in section.lines[1]


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


def test_the_synchronization_tab_shows_the_reason_and_the_service_state(
    qtbot, ldap_sync: Services, ou: str, add_item: AddItem
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from mfa_console.ui.models.sync_history import MESSAGE_COLUMN
    from mfa_console.ui.panes.directory_sync_tab import SyncTab

    add_item("container", ou)
    set_sync(ldap_sync, enabled=True, interval_minutes=60)
    settings = ldap_sync.directory.load()
    ldap_sync.directory.save(dataclasses.replace(settings, servers=("ldap://127.0.0.1:9",)))
    result = ldap_sync.sync.run(full=True)
    tab = SyncTab(ldap_sync)
    qtbot.addWidget(tab)
    tab.refresh_status()
    tab.history.refresh()
    runs = tab.history.runs
    assert runs.data(runs.index(0, MESSAGE_COLUMN)) == result.message.replace("\n", " ")
    caption = tab.history.changes_label.text()
    assert caption.startswith("Run #") and "failed before it changed any user" in caption
    text = tab.status.text()
    assert "background service has never run" in text and "start the MFA Console service" in text
    assert "mfa-console" not in text
    assert "when the background service runs" in text
    with Lease(ldap_sync.db, "service", HEARTBEAT_TTL).acquire():
        tab.refresh_status()
        assert "background service" not in tab.status.text()
