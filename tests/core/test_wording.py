"""The words a person reads: plurals, durations, labels instead of keys."""

from __future__ import annotations

import ast
from pathlib import Path

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


def _recorded_actions(source: str) -> set[str]:
    """The audit actions a module records: literal actions given to ``audit.record`` (or to a
    helper named ``_record``), and the literals a variable handed to it is set to."""
    tree = ast.parse(source)
    names: set[str] = set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        args = node.args[1:2] if called == "record" else node.args[:1]
        if called in ("record", "_record") and args:
            if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.add(args[0].value)
            elif isinstance(args[0], ast.Name):
                names.add(args[0].id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            found |= {
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
    return {action for action in found if "." in action}


def test_every_audited_action_has_words_for_the_logs_pane() -> None:
    core = Path(wording.__file__).parent
    actions = set().union(*(_recorded_actions(p.read_text()) for p in core.rglob("*.py")))
    assert {"user.add", "radius.client.add", "token.software", "backup.create"} <= actions
    missing = sorted(action for action in actions if action not in wording.ACTION_LABELS)
    assert not missing, f"the Logs pane would show these as keys: {missing}"


def test_changes_show_values_in_words() -> None:
    change = wording.describe_change({"method": "phone-call"}, {"method": "oath-token"})
    assert change == "Method: Phone Call \u2192 OATH Token"
    assert wording.setting_value("attributes", {"first_name": "givenName"}) == (
        "First name: givenName"
    )
