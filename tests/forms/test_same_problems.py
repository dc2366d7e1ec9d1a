"""The command line and the forms build the same settings value and report the same problems,
named by the labels a person sees on the form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mfa_console.app import Services
from mfa_console.core.directory.settings import parse_servers
from mfa_console.ui.forms.directory_connection import DirectoryConnectionForm
from mfa_console.ui.forms.email_server import EmailServerForm


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _problem_lines(stderr: str) -> set[str]:
    text = stderr.strip().removeprefix("mfa-console: ")
    return {line.strip() for line in text.split(";")}


def test_directory_problems_are_the_same(qtbot, services: Services, data_file: Path) -> None:  # type: ignore[no-untyped-def]
    form = DirectoryConnectionForm(services.directory)
    qtbot.addWidget(form)
    form.load()
    form.use_ldap.setChecked(True)
    form.servers.setText("ldap://dc1.example.test")  # a plain address with LDAPS security
    form.bind_dn.setText("cn=reader,dc=example,dc=test")
    problems = form.check()
    assert problems is not None
    shown = set(problems.lines())
    assert any(line.startswith("Servers: ") for line in shown)
    assert any(line.startswith("Base DN: ") for line in shown)
    result = _cli(
        data_file, "directory", "configure", "--type", "ldap", "--server",
        "ldap://dc1.example.test", "--bind-dn", "cn=reader,dc=example,dc=test",
    )  # fmt: skip
    assert result.returncode == 1
    assert _problem_lines(result.stderr) == shown
    assert "base_dn" not in result.stderr  # no internal names


def test_email_problems_are_the_same(qtbot, services: Services, data_file: Path) -> None:  # type: ignore[no-untyped-def]
    form = EmailServerForm(services.mail)
    qtbot.addWidget(form)
    form.load()
    form.server.setText("smtp.example.test")
    form.from_address.setText("not an address")
    form.security.setCurrentIndex(form.security.findData("starttls"))
    problems = form.check()
    assert problems is not None
    result = _cli(
        data_file, "email", "configure", "--server", "smtp.example.test",
        "--from", "not an address",
    )  # fmt: skip
    assert result.returncode == 1
    assert _problem_lines(result.stderr) == set(problems.lines())
    assert "From address:" in result.stderr


def test_server_lists_are_parsed_once() -> None:
    expected = ("ldaps://a.example.test", "ldaps://b.example.test:636")
    for text in (
        "ldaps://a.example.test; ldaps://b.example.test:636",
        "ldaps://a.example.test ldaps://b.example.test:636",
        "ldaps://a.example.test,ldaps://b.example.test:636",
    ):
        assert parse_servers(text) == expected
