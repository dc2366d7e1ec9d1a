"""The layers hold: import-linter's contracts (pyproject.toml) pass on the code as it is."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _database_uses(source: str) -> list[int]:
    """Lines of ``source`` that reach the open database (``anything.db``) past the services."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "db"
    ]


def test_the_window_uses_feature_services_not_the_database() -> None:
    ui = Path(__file__).resolve().parents[1] / "mfa_console" / "ui"
    found = {
        f"{path.relative_to(ui)}:{line}"
        for path in ui.rglob("*.py")
        for line in _database_uses(path.read_text(encoding="utf-8"))
    }
    assert not found, f"ui/ reads services.db; use a feature service: {sorted(found)}"


def test_a_database_use_is_found() -> None:
    sample = "def f(window):\n    return window.services.db.path\n"
    assert _database_uses(sample) == [2]
    assert _database_uses("services.backup.data_file()\n") == []
