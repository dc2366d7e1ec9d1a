"""The command line: generate credentials, activate, status, deactivate; no secret printed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mfa_console.cli import run
from tests.activation.conftest import RunningService


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_activate_status_deactivate(
    activation_service: RunningService,
    data_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = ["--state", str(activation_service.state)]
    code, out, _ = _run(
        ["activation-service", "generate-credentials", "--email", "Cli@Example.test", *state,
         "--json"],
        capsys,
    )  # fmt: skip
    assert code == 0
    creds = json.loads(out)
    assert creds["email"] == "cli@example.test" and len(creds["password"]) == 16

    data = ["--data", str(data_file)]
    monkeypatch.setattr("sys.stdin", io.StringIO(creds["password"] + "\n"))
    code, out, err = _run(
        [*data, "activation", "activate", "--email", creds["email"], "--password-stdin",
         "--service", activation_service.url, "--ca-file", str(activation_service.ca_file),
         "--new-group", "--server-name", "cli-server"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "Master" in out and "cli-server" in out

    code, out, _ = _run([*data, "activation", "status", "--json"], capsys)
    status = json.loads(out)
    assert (
        status["activated"] and status["role"] == "master" and status["account"] == "example.test"
    )
    assert "token" not in out and creds["password"] not in out

    monkeypatch.setattr("sys.stdin", io.StringIO(creds["password"] + "\n"))
    code, _, err = _run(
        [*data, "activation", "activate", "--email", creds["email"], "--password-stdin"], capsys
    )
    assert code == 1 and "activated already" in err

    code, out, _ = _run([*data, "activation", "deactivate"], capsys)
    assert code == 0 and "Deactivated" in out
    code, out, _ = _run([*data, "activation", "status"], capsys)
    assert out.startswith("Not activated")


def test_reused_credentials_fail_with_one_line(
    activation_service: RunningService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    creds = activation_service.credentials("reuse@example.test")
    activation_service.store().activate(creds.email, creds.password, "elsewhere", None)
    monkeypatch.setattr("sys.stdin", io.StringIO(creds.password))
    code, out, err = _run(
        ["--data", str(tmp_path / "c.db"), "activation", "activate", "--email", creds.email,
         "--password-stdin", "--service", activation_service.url,
         "--ca-file", str(activation_service.ca_file), "--join-group"],
        capsys,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "used already" in err
    assert creds.password not in err
