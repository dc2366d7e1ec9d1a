"""The text rules of the core: invisible and direction-changing characters refused with the
reason, NFC, the column lengths; the same rules for the dialogs' service, CSV import and the
command line (whose output escapes what it prints). On a real SQLite data file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from mfa_console.app import Services
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ValidationError
from mfa_console.core.text import printable
from mfa_console.core.users.records import UserInput


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("ad\u202emin", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("ad\u2066min", "changes the text direction"),
        ("ad\u200bmin", "U+200B (ZERO WIDTH SPACE)"),
        ("ad\ufeffmin", "invisible"),
        ("ad\x1b[2Jmin", "U+001B (control character)"),
        ("ad\u00a0min", "U+00A0 (NO-BREAK SPACE)"),
        ("ad\u3164min", "U+3164 (HANGUL FILLER)"),
        ("x" * 257, "257 characters long; at most 256"),
    ],
)
def test_usernames_that_cannot_be_seen_are_refused(
    services: Services, username: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.users.add(UserInput(username=username, enabled=False))
    assert reason in refused.value.problems["username"]
    assert services.users.count() == (0, 0)


def test_names_lengths_and_nfc(services: Services) -> None:
    with pytest.raises(ValidationError) as refused:
        services.users.add(
            UserInput(username="ann", first_name="A" * 129, last_name="Lee\u202e", enabled=False)
        )
    assert "at most 128" in refused.value.problems["first_name"]
    assert "U+202E" in refused.value.problems["last_name"]

    decomposed = "Zoe\u0301"  # e + combining acute: looks like "Zoé"
    user = services.users.add(UserInput(username=decomposed, first_name=decomposed, enabled=False))
    assert user.username == user.first_name == "Zo\u00e9"  # one form, NFC
    assert services.users.find("Zo\u00e9").id == user.id
    assert (
        services.users.add(
            UserInput(username="ann", first_name="Ana\u00a0Lu", enabled=False)
        ).first_name
        == "Ana\u00a0Lu"
    )  # a no-break space is visible enough in a name


def test_csv_import_path_reports_the_reason_per_line(services: Services) -> None:
    result = services.users.save_many(
        [(2, UserInput(username="ok", enabled=False)),
         (3, UserInput(username="e\u200dvil", enabled=False))]
    )  # fmt: skip
    assert result.created == 1
    assert result.rejected == [(3, result.rejected[0][1])] and "U+200D" in result.rejected[0][1]


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_cli_escapes_control_characters_and_refuses_an_empty_new_username(
    services: Services, data_file: Path
) -> None:
    services.users.add(UserInput(username="old", enabled=False))
    hostile = "Ev\x1b[2J\x1b]0;owned\x07il\u202eTXT"
    with services.db.write() as session:  # a value stored before the rules existed
        session.execute(update(UserRow).values(first_name=hostile))
    services.close()

    shown = _cli(data_file, "users", "show", "old")
    listed = _cli(data_file, "users", "list", "--filter", "old")
    assert shown.returncode == listed.returncode == 0
    for out in (shown.stdout, listed.stdout):
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert printable(hostile) in shown.stdout
    assert "Ev\\x1b[2J\\x1b]0;owned\\x07il\\u202eTXT" in shown.stdout

    renamed = _cli(data_file, "users", "edit", "old", "--new-username", "")
    assert renamed.returncode == 1 and "a username is required" in renamed.stderr
    assert _cli(data_file, "users", "show", "old").returncode == 0
