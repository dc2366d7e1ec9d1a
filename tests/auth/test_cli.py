"""The command line end to end, as separate processes, on a real data file and keyring."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.auth.conftest import b32, totp_for


def run(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def test_tokens_users_and_log_commands(data_file: Path, tmp_path: Path) -> None:
    assert (
        run(data_file, "users", "add", "dave@example.test", "--method", "oath-token").returncode
        == 0
    )
    seed = bytes(range(50, 70))
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "upn,serial number,secret key,time interval,manufacturer,model\n"
        f",HW-9,{b32(seed)},30,Contoso,c200\n,HW-bad,xyz,30,,\n"
    )
    imported = run(data_file, "tokens", "import", str(csv_file), "--json")
    assert json.loads(imported.stdout)["rejected"] == [
        {"line": 3, "reason": "the secret key is not Base32"}
    ]
    assert run(data_file, "tokens", "assign", "HW-9", "dave@example.test").returncode == 0
    listed = json.loads(run(data_file, "tokens", "list", "--json").stdout)
    assert listed[0]["username"] == "dave@example.test" and "secret" not in json.dumps(listed)
    code = totp_for(b32(seed)).now()
    tested = run(data_file, "users", "test", "dave@example.test", "--json", stdin=f"{code}\n")
    assert json.loads(tested.stdout)["result"] == "OATH_CODE_VERIFIED", tested.stderr
    again = run(
        data_file, "users", "test", "dave@example.test", "--password-stdin", stdin=f"pw\n{code}\n"
    )
    assert again.returncode == 3 and again.stdout.startswith("FAILED_OATH_CODE_DUPLICATE")
    log = json.loads(run(data_file, "auth", "log", "--user", "dave@example.test", "--json").stdout)
    assert [r["result"] for r in log] == ["FAILED_OATH_CODE_DUPLICATE", "OATH_CODE_VERIFIED"]
    assert log[0]["application"] == "Test User"
    only = run(data_file, "auth", "log", "--result", "OATH_CODE_VERIFIED", "--since", "1h")
    assert only.stdout.count("OATH_CODE_VERIFIED") == 1
    drift = totp_for(b32(seed))
    ahead = time.time() + 600
    resync = run(
        data_file, "tokens", "resync", "HW-9", stdin=f"{drift.at(ahead)}\n{drift.at(ahead + 30)}\n"
    )
    assert resync.returncode == 0 and "resynchronised" in resync.stdout, resync.stderr
    assert run(data_file, "users", "unblock", "dave@example.test").returncode == 0
    assert run(data_file, "tokens", "unassign", "HW-9").returncode == 0


def test_software_token_secret_only_when_asked(data_file: Path) -> None:
    run(data_file, "users", "add", "erin@example.test", "--method", "oath-token")
    quiet = run(data_file, "users", "token", "erin@example.test", "--software", "--json")
    assert "secret" not in json.loads(quiet.stdout)
    shown = json.loads(
        run(
            data_file,
            "users",
            "token",
            "erin@example.test",
            "--software",
            "--show-secret",
            "--json",
        ).stdout
    )
    assert shown["uri"].startswith("otpauth://totp/MFA%20Console:erin@example.test?secret=")
    code = totp_for(shown["secret"]).now()
    result = run(data_file, "users", "test", "erin@example.test", stdin=f"{code}\n")
    assert result.stdout.startswith("OATH_CODE_VERIFIED")
    assert shown["secret"].encode() not in data_file.read_bytes()


def test_key_export_and_import(data_file: Path, tmp_path: Path) -> None:
    run(data_file, "users", "add", "fay@example.test", "--method", "oath-token")
    run(data_file, "users", "token", "fay@example.test", "--software")
    key_file = tmp_path / "key.json"
    short = run(data_file, "key", "export", str(key_file), stdin="short\n")
    assert short.returncode == 1 and "too short" in short.stderr
    assert (
        run(data_file, "key", "export", str(key_file), stdin="a long passphrase\n").returncode == 0
    )
    fingerprint = run(data_file, "key", "show").stdout.strip()
    assert json.loads(key_file.read_text())["fingerprint"] == fingerprint
    wrong = run(data_file, "key", "import", str(key_file), stdin="not the passphrase\n")
    assert wrong.returncode == 1 and "does not open" in wrong.stderr
    imported = run(data_file, "key", "import", str(key_file), stdin="a long passphrase\n")
    assert imported.returncode == 0 and fingerprint in imported.stdout
