"""Hardware token files made here: MFA Server / Entra CSV and PSKC (plain, password, hostile)."""

from __future__ import annotations

import time
from pathlib import Path

import pskc
import pytest

from mfa_console.app import Services
from mfa_console.core.auth.results import ResultCode
from mfa_console.core.auth.verify import AuthRequest, verify
from mfa_console.core.errors import ConsoleError
from tests.auth.conftest import b32, totp_for

SEED = bytes(range(1, 21))
SEED80 = bytes(range(30, 40))


def write_csv(path: Path, *rows: str) -> Path:
    header = "upn,serial number,secret key,time interval,manufacturer,model"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_import_assigns_and_reports_each_rejected_row(
    services: Services, alice: str, tmp_path: Path
) -> None:
    csv_file = write_csv(
        tmp_path / "tokens.csv",
        f"{alice},HW-1,{b32(SEED).lower()},30,Contoso,OTP c200",
        f",HW-2,{b32(SEED80)},60,Contoso,OTP c200",
        f",HW-3,{b32(b'short seed'[:9])},30,Contoso,x",
        ",HW-4,not base32!,30,Contoso,x",
        f",HW-5,{b32(SEED)},abc,Contoso,x",
        f"nobody@example.test,HW-6,{b32(SEED)},30,,",
        f",HW-2,{b32(SEED)},30,,",
    )
    report = services.auth.import_file(csv_file)
    assert (report.imported, report.assigned) == (3, 1)
    assert [line for line, _ in report.rejected] == [4, 5, 6, 8]
    reasons = dict(report.rejected)
    assert "72 bits" in reasons[4] and "Base32" in reasons[5] and "time interval" in reasons[6]
    assert "twice" in reasons[8]
    assert report.notes == [(7, "no user 'nobody@example.test': HW-6 imported unassigned")]
    tokens = {t.serial: t for t in services.auth.tokens()}
    assert tokens["HW-1"].username == alice and tokens["HW-2"].period == 60
    now = time.time()
    code = totp_for(b32(SEED)).at(now)
    assert verify(services.db, AuthRequest(alice, code), now=now).code == (
        ResultCode.OATH_CODE_VERIFIED
    )
    again = services.auth.import_file(csv_file)
    assert again.imported == 0 and (2, "serial number HW-1 exists") in again.rejected


def test_assign_replace_unassign_and_resync(services: Services, alice: str, tmp_path: Path) -> None:
    services.auth.import_file(
        write_csv(tmp_path / "t.csv", f",HW-1,{b32(SEED)},30,,", f",HW-2,{b32(SEED80)},30,,")
    )
    services.auth.assign("HW-1", alice)
    with pytest.raises(ConsoleError, match="HW-1 already"):
        services.auth.assign("HW-2", alice)
    services.auth.assign("HW-2", alice, replace=True)
    tokens = {t.serial: t.username for t in services.auth.tokens()}
    assert tokens == {"HW-1": None, "HW-2": alice}
    drifted = totp_for(b32(SEED80))
    now = time.time()
    ahead = now + 40 * 30  # the token's clock runs 20 minutes fast
    assert verify(services.db, AuthRequest(alice, drifted.at(ahead)), now=now).code == (
        ResultCode.FAILED_OATH_CODE_INCORRECT
    )
    drift = services.auth.resync("HW-2", drifted.at(ahead), drifted.at(ahead + 30))
    assert drift == 41
    later = time.time() + 60
    assert verify(services.db, AuthRequest(alice, drifted.at(later + 40 * 30)), now=later).code == (
        ResultCode.OATH_CODE_VERIFIED
    )
    services.auth.unassign("HW-2")
    assert {t.serial: t.username for t in services.auth.tokens()}["HW-2"] is None


def _pskc(path: Path, password: str | None = None, **extra: object) -> Path:
    document = pskc.PSKC()
    if password:
        document.encryption.setup_pbkdf2(password)
    document.add_key(
        id="k1",
        serial="PS-1",
        secret=SEED,
        manufacturer="Vendor",
        algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
        time_interval=30,
        response_length=8,
        algorithm_suite="SHA256",
    )
    document.add_key(
        id="k2",
        serial="PS-2",
        secret=b"tooshort",
        algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
    )
    document.add_key(
        id="k3", serial="PS-3", secret=SEED, algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"
    )
    document.write(str(path))
    return path


def test_pskc_keeps_digits_period_algorithm_and_reports_keys(
    services: Services, alice: str, tmp_path: Path
) -> None:
    report = services.auth.import_file(_pskc(tmp_path / "plain.pskcxml"))
    assert report.imported == 1
    lines = dict(report.rejected)
    assert len(lines) == 2 and all(line > 1 for line in lines)
    assert any("64 bits" in r for r in lines.values()) and any("TOTP" in r for r in lines.values())
    (token,) = services.auth.tokens()
    assert (token.serial, token.digits, token.algorithm, token.manufacturer) == (
        "PS-1",
        8,
        "SHA256",
        "Vendor",
    )
    services.auth.assign("PS-1", alice)
    now = time.time()
    code = totp_for(b32(SEED), digits=8, digest="sha256").at(now)
    assert verify(services.db, AuthRequest(alice, code), now=now).ok


def test_password_protected_pskc(services: Services, tmp_path: Path) -> None:
    path = _pskc(tmp_path / "locked.pskcxml", password="vendor-pass")
    assert SEED not in path.read_bytes()
    with pytest.raises(ConsoleError, match="protected by a password"):
        services.auth.import_file(path)
    with pytest.raises(ConsoleError, match="password does not open"):
        services.auth.import_file(path, "not-it")
    assert services.auth.import_file(path, "vendor-pass").imported == 1


def test_hostile_pskc_is_refused(services: Services, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pskcxml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'
        "<KeyPackage><Key Id='&lol2;'/></KeyPackage></KeyContainer>\n",
        encoding="utf-8",
    )
    external = tmp_path / "external.pskcxml"
    external.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">&e;'
        "</KeyContainer>\n",
        encoding="utf-8",
    )
    for path in (bomb, external):
        with pytest.raises(ConsoleError, match="PSKC file was refused"):
            services.auth.import_file(path)
    assert services.auth.tokens() == []
