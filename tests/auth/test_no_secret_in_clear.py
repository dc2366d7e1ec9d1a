"""Secrets searched for, byte for byte, in the data file, its WAL, a backup, logs and outputs."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.app import Services
from tests.auth.conftest import b32, totp_for

HARDWARE_SEED = os.urandom(20)


def test_no_secret_in_clear_anywhere(
    services: Services, alice: str, data_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("MFA_CONSOLE_LOG_DIR", str(logs))
    services.secrets.set("email.smtp-password", "smtp-needle-71c3")
    services.secrets.set("directory.bind-password", "bind-needle-0d9e")
    software = services.auth.generate_software(alice)
    csv_file = tmp_path / "hw.csv"
    csv_file.write_text(
        "upn,serial number,secret key,time interval,manufacturer,model\n"
        f",HW-1,{b32(HARDWARE_SEED)},30,,\n"
    )
    services.auth.import_file(csv_file)
    csv_file.unlink()
    outputs = []
    for args, stdin in (
        (
            ["users", "test", alice, "--password-stdin"],
            f"password-needle-5e2a\n{totp_for(software.secret).now()}\n",
        ),
        (["tokens", "list", "--json"], ""),
        (["auth", "log", "--csv", str(tmp_path / "log.csv")], ""),
        (["auth", "log", "--json"], ""),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "mfa_console", "--data", str(data_file), *args],
            capture_output=True,
            input=stdin,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((done.stdout + done.stderr).encode())
    backup = services.backup.create(tmp_path / "b.mfabackup").path
    software_seed = base64.b32decode(software.secret + "=" * (-len(software.secret) % 8))
    needles = [
        b"smtp-needle-71c3",
        b"bind-needle-0d9e",
        b"password-needle-5e2a",
        software.secret.encode(),
        software_seed,
        b32(HARDWARE_SEED).encode(),
        HARDWARE_SEED,
    ]
    places = {
        "data file": data_file.read_bytes(),
        "backup": backup.read_bytes(),
        "log.csv": (tmp_path / "log.csv").read_bytes(),
    }
    wal = data_file.with_name(data_file.name + "-wal")
    if wal.exists():
        places["WAL"] = wal.read_bytes()
    for path in logs.rglob("*"):
        if path.is_file():
            places[path.name] = path.read_bytes()
    places |= {f"output {n}": out for n, out in enumerate(outputs)}
    assert "WAL" in places and any(logs.rglob("*.log"))
    for name, content in places.items():
        for needle in needles:
            assert needle not in content, f"a secret is readable in {name}"
