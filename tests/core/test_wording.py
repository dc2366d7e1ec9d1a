"""The words a person reads: plurals, durations, labels instead of keys."""

from __future__ import annotations

from mfa_console.core import wording
from mfa_console.core.errors import ValidationError


def test_plurals_and_durations() -> None:
    assert [wording.plural(n, "user") for n in (0, 1, 2, 2000)] == [
        "0 users",
        "1 user",
        "2 users",
        "2,000 users",
    ]
    assert wording.plural(1, "entry") == "1 entry" and wording.plural(3, "entry") == "3 entries"
    assert [wording.duration(m) for m in (1, 60, 90, 540, 1440)] == [
        "1 minute",
        "1 hour",
        "1 hour 30 minutes",
        "9 hours",
        "1 day",
    ]


def test_problems_name_fields_by_their_labels() -> None:
    error = ValidationError({"from_address": "enter an address", "dn": "enter a DN"})
    assert error.message == "From address: enter an address; Container or group: enter a DN"
    assert ValidationError({"some_new_key": "x"}).message == "Some new key: x"


def test_audit_entries_read_as_words() -> None:
    assert wording.action_label("settings.change") == "Settings changed"
    assert wording.action_label("unknown.thing_done") == "Unknown thing done"
    assert wording.audit_target("settings.change", "sync") == "Synchronization settings"
    change = wording.describe_change({"interval_minutes": 60}, {"interval_minutes": 540})
    assert change == "Synchronize every: 1 hour \u2192 9 hours"
    added = wording.describe_change(None, {"username": "ann", "phone": "", "enabled": True})
    assert added == "Enabled: on; Username: ann"  # empty fields of a new record left out
