"""``mfa-console email ...`` against a real aiosmtpd, run in-process through the CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mfa_console.app import open_services
from mfa_console.cli import run
from mfa_console.core.mail import queue_for_user
from mfa_console.core.mail.settings import PASSWORD_KEY
from tests.mail.conftest import add_user
from tests.mail.smtpd import LOGIN, PASSWORD, SmtpServer


def _configure(data_file: Path, smtpd: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return run(
        [
            "--data", str(data_file), "email", "configure",
            "--server", "127.0.0.1", "--port", str(smtpd.port), "--security", "starttls",
            "--ca-file", str(smtpd.certs.ca_file), "--username", LOGIN, "--password-stdin",
            "--from", "mfa@example.com", "--from-name", "Équipe MFA", "--send-to-users",
        ]
    )  # fmt: skip


def test_configure_test_outbox_send(
    data_file: Path, smtpd: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    assert _configure(data_file, smtpd, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "sending to users is on" in out and PASSWORD not in out
    services = open_services(data_file)
    try:
        settings = services.mail.settings()
        assert (settings.verify, settings.from_name) == ("ca-file", "Équipe MFA")
        assert services.secrets.get(PASSWORD_KEY) == PASSWORD
        user_id = add_user(services, "max")
        with services.db.write() as session:
            queue_for_user(session, user_id, "new")
    finally:
        services.close()

    assert (
        run(["--data", str(data_file), "email", "test", "--to", "ops@example.org", "--json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and "AUTH PLAIN ********" in result["transcript"]
    assert PASSWORD not in result["transcript"]

    assert run(["--data", str(data_file), "email", "outbox", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["state"], entry["recipient"]) == ("queued", "max@example.com")

    assert run(["--data", str(data_file), "email", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == 1
    assert run(["--data", str(data_file), "email", "outbox"]) == 0
    assert "sent" in capsys.readouterr().out
    message = smtpd.capture.received[-1].message
    assert str(message["From"]) == "Équipe MFA <mfa@example.com>"


def test_failed_test_exits_1_with_a_reason(
    data_file: Path, smtpd: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    assert _configure(data_file, smtpd, monkeypatch) == 0
    smtpd.capture.refuse.add("nobody@elsewhere.example")
    capsys.readouterr()
    assert run(["--data", str(data_file), "email", "test", "--to", "nobody@elsewhere.example"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "550" in err[0] and "recipient" in err[0]
