"""`mfa-console sync ...` end to end against slapd, in-process (exit codes, JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.cli import run
from tests.services.fixtures import TestCAs
from tests.services.slapd import SlapdServer
from tests.sync.conftest import configure_ldap


def cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = run(["--data", str(data), "sync", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_command_line(
    services: Services,
    data_file: Path,
    slapd: SlapdServer,
    test_cas: TestCAs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_ldap(services, slapd, test_cas)
    ou = slapd.add_ou(f"c{uuid.uuid4().hex[:8]}")
    gone = [slapd.add_user(f"cli{i}", ou, telephoneNumber="+1 425 555 0199") for i in range(3)]

    code, _, err = cli(capsys, data_file, "settings", "--enable")
    assert code == 1 and "Enable synchronization: add a synchronization item first" in err
    code, out, _ = cli(
        capsys,
        data_file,
        "item",
        "add",
        "--container",
        ou,
        "--method",
        "text-message",
        "--mode",
        "otp",
        "--language",
        "de",
        "--enable",
        "new-with-phone",
        "--email",
        "new",
        "--json",
    )
    assert code == 0 and json.loads(out)["method"] == "text-message"
    code, out, _ = cli(
        capsys,
        data_file,
        "settings",
        "--enable",
        "--interval",
        "15m",
        "--approval-threshold",
        "2",
        "--json",
    )
    assert code == 0 and json.loads(out)["interval_minutes"] == 15
    assert cli(capsys, data_file, "settings", "--interval", "25h")[0] == 1

    code, out, _ = cli(capsys, data_file, "run", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["dry_run"] and plan["added"] == 3 and plan["run_id"] is None
    code, out, _ = cli(capsys, data_file, "run", "--json")
    counts = json.loads(out)
    assert code == 0 and {k: counts[k] for k in ("added", "unchanged", "errors")} == {
        "added": 3,
        "unchanged": 0,
        "errors": 0,
    }
    assert services.users.find("cli0").languages["text-message"] == "de"

    for dn in gone:
        slapd.delete(dn)
    code, out, _ = cli(capsys, data_file, "run", "--full", "--json")
    assert code == 0 and json.loads(out)["pending_approval"] == 3
    code, out, _ = cli(capsys, data_file, "approve", "--json")
    assert code == 0 and json.loads(out)["disabled"] == 3

    code, out, _ = cli(capsys, data_file, "history", "--json")
    runs = json.loads(out)
    assert [r["kind"] for r in runs] == ["approval", "full", "full"]
    code, out, _ = cli(capsys, data_file, "history", "--csv", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["action"] for r in rows} == {"add", "pending", "disable"}

    code, out, _ = cli(capsys, data_file, "item", "list", "--json")
    item_id = json.loads(out)[0]["id"]
    assert cli(capsys, data_file, "item", "remove", str(item_id))[0] == 0
    code, out, err = cli(capsys, data_file, "run", "--json")
    assert code == 1 and json.loads(out)["status"] == "failed"


def test_failed_run_exits_non_zero(
    services: Services,
    data_file: Path,
    slapd: SlapdServer,
    test_cas: TestCAs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_ldap(services, slapd, test_cas, servers=("ldap://localhost:1",))
    cli(capsys, data_file, "item", "add", "--container", slapd.people)
    code, out, err = cli(capsys, data_file, "run")
    assert code == 1 and "failed" in out and "Nobody was disabled" in err
