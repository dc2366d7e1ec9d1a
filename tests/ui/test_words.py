"""What the window shows is worded for people: no command lines or options, no schema revision
names, no audit keys, in any string of ui/ nor in the notes from core that the window shows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mfa_console.core import wording
from mfa_console.core.service.heartbeat import HOW_TO_START

UI = Path(__file__).resolve().parents[2] / "mfa_console" / "ui"
COMMAND_LINE = re.compile(r"(^|[\s(`'\"])--[a-z]|\bmfa-console [a-z]")
REVISION = re.compile(r"\b\d{4}_[a-z]+")


def _texts(source: str) -> list[tuple[int, str]]:
    """The string constants of a module, less its docstrings."""
    tree = ast.parse(source)
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def _not_for_people(text: str) -> bool:
    if text.startswith("mfa-console: "):  # the launcher's lines on standard error
        return False
    return bool(COMMAND_LINE.search(text) or REVISION.search(text)) or text in wording.ACTION_LABELS


def test_no_string_of_the_window_names_a_command_an_option_a_revision_or_a_key() -> None:
    found = [
        f"{path.relative_to(UI)}:{line}: {text[:80]!r}"
        for path in sorted(UI.rglob("*.py"))
        for line, text in _texts(path.read_text(encoding="utf-8"))
        if _not_for_people(text)
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_each_kind() -> None:
    for text in (
        "run mfa-console service",
        "open another file with --data",
        "schema 0005_sync",
        "settings.change",
    ):
        assert _not_for_people(text), text
    assert not _not_for_people("Run the Configuration Wizard (Tools menu).")
    assert not _not_for_people("mfa-console: cannot write x.png")


def test_notes_from_core_shown_in_the_window_are_worded_for_people() -> None:
    from mfa_console.core.radius.status import START
    from mfa_console.ui.panes.activation import EXPLANATION

    for text in (HOW_TO_START, START, EXPLANATION):
        assert not _not_for_people(text), text
