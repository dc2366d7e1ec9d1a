"""Item policies against slapd: Enabled, Send email (the queue hook), add/update switches,
language attributes; and the settings rules."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from mfa_console.app import Services
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ValidationError
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.settings import SyncSettings, parse_interval
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem


class RecordingQueue:
    """An email queue that checks it is called inside the user's own write transaction."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, str]] = []

    def __call__(
        self, session: Session, user_id: int, reason: str, *, pin: str | None = None
    ) -> None:
        row = session.get(UserRow, user_id)  # visible: the same, still open transaction
        assert row is not None and session.in_transaction()
        self.queued.append((row.username, reason))


def test_enabled_and_email_policies(
    ldap_sync: Services, slapd: SlapdServer, add_item: AddItem
) -> None:
    ou = slapd.add_ou(f"e{uuid.uuid4().hex[:8]}")
    slapd.add_user("withphone", ou, telephoneNumber="+1 425 555 0100", mail="w@example.test")
    slapd.add_user("nophone", ou, mail="n@example.test")
    slapd.add_user("nomail", ou, telephoneNumber="+1 425 555 0101")
    add_item("container", ou, enable_policy="new-with-phone", email_policy="new-and-updated")
    queue = RecordingQueue()
    ldap_sync.sync.set_email_queue(queue)

    ldap_sync.sync.run(full=True)

    users = {u: ldap_sync.users.find(u) for u in ("withphone", "nophone", "nomail")}
    assert users["withphone"].enabled and users["nomail"].enabled
    assert not users["nophone"].enabled  # only new users with a phone number are enabled
    assert sorted(queue.queued) == [("nophone", "new"), ("withphone", "new")]  # no email: none

    slapd.modify(f"uid=withphone,{ou}", sn="Changed")
    ldap_sync.sync.run(full=True)
    assert queue.queued[-1] == ("withphone", "updated")


def test_add_and_update_switches_and_languages(
    ldap_sync: Services, slapd: SlapdServer, add_item: AddItem
) -> None:
    ou = slapd.add_ou(f"s{uuid.uuid4().hex[:8]}")
    slapd.add_user("kept", ou, mail="kept@example.test")
    item = add_item("container", ou, languages={"phone-call": "de"})
    ldap_sync.sync.run(full=True)
    assert ldap_sync.users.find("kept").languages["phone-call"] == "de"
    ldap_sync.sync.items.update(
        SyncItem(**{**item.to_json(), "add_new": False, "update_existing": False})
    )
    slapd.add_user("skipped", ou)
    slapd.modify(f"uid=kept,{ou}", mail="other@example.test")

    result = ldap_sync.sync.run(full=True)

    assert (result.counts.added, result.counts.updated) == (0, 0)
    assert ldap_sync.users.find("kept").email == "kept@example.test"
    assert ldap_sync.users.count() == (1, 1)


def test_settings_validation_and_interval_parsing() -> None:
    assert (
        parse_interval("15m") == 15 and parse_interval("2h") == 120 and parse_interval("30") == 30
    )
    with pytest.raises(ValidationError):
        parse_interval("soon")
    for bad in (
        SyncSettings(interval_minutes=0),
        SyncSettings(interval_minutes=24 * 60 + 1),
        SyncSettings(approval_threshold=0),
        SyncSettings(approval_threshold=1000),
    ):
        with pytest.raises(ValidationError):
            bad.validate()
    SyncSettings().validate()
    assert SyncSettings().approval_threshold == 5
    with pytest.raises(ValidationError) as caught:
        SyncItem(scope="ou", dn="x", on_removed="delete", method="fax").validate()
    assert set(caught.value.problems) >= {"scope", "dn", "on_removed", "method"}


def test_history_keeps_the_newest_runs(
    ldap_sync: Services, slapd: SlapdServer, add_item: AddItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfa_console.core.sync import engine

    monkeypatch.setattr(engine, "RUNS_KEPT", 2)
    ou = slapd.add_ou(f"r{uuid.uuid4().hex[:8]}")
    slapd.add_user("hist", ou)
    add_item("container", ou)
    first = ldap_sync.sync.run(full=True)
    for _ in range(2):
        ldap_sync.sync.run(full=True)
    runs = ldap_sync.sync.history.runs()
    assert len(runs) == 2 and first.run_id not in {r.id for r in runs}
    assert ldap_sync.sync.history.changes(first.run_id or 0) == []
