"""Test User (core, command line, window) checks the password with RADIUS's primary target exactly
as the server does: the LDAP bind against the test slapd and a real FreeRADIUS upstream. A
refused password is a primary failure and leaves the code unused."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.cli import run
from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.errors import CancelledError
from mfa_console.core.progress import CancelToken
from mfa_console.ui.dialogs.test_user import TestUserDialog as UserTestDialog
from tests.radius.conftest import RadiusEnv, add_console_user, ldap_person
from tests.radius.test_upstream import use_upstream
from tests.services.freeradius import FreeRadius
from tests.services.slapd import SlapdServer
from tests.ui.keyboard import assert_keyboard_ok


def _log(services: Services, username: str) -> list[tuple[str, str, str]]:
    with services.db.read() as session:
        rows = session.execute(
            select(AuthLogRow.result, AuthLogRow.reason, AuthLogRow.application)
            .where(AuthLogRow.username_key == username.lower())
            .order_by(AuthLogRow.at, AuthLogRow.id)
        ).all()
    return [(r.result, r.reason, r.application) for r in rows]


def test_ldap_bind_password_then_code(ldap_radius: RadiusEnv, slapd: SlapdServer) -> None:
    services = ldap_radius.services
    uid = ldap_person(slapd, "Pw-of-kim1")
    totp = add_console_user(services, uid)
    assert totp is not None
    code = totp.now()

    wrong = services.auth.test_user(uid, "not-her-password", code)
    assert wrong.result.code == "FAILED_PRIMARY_AUTH" and not wrong.ok
    assert wrong.password is not None and wrong.password.reason == "wrong password"
    assert wrong.target == "LDAP bind (the Directory Integration connection)"
    assert not wrong.code_checked
    right = services.auth.test_user(uid, "Pw-of-kim1", code)  # the code was not used above
    assert right.result.code == "OATH_CODE_VERIFIED" and right.password is not None
    assert right.password.ok and right.to_json()["password"] == {
        "target": right.target, "ok": True, "reason": "",
    }  # fmt: skip
    assert _log(services, uid) == [
        ("FAILED_PRIMARY_AUTH", "wrong password", "Test User"),
        ("OATH_CODE_VERIFIED", right.result.reason, "Test User"),
    ]

    stranger = services.auth.test_user("no-such-user", "x", "123456")  # the directory not asked
    assert stranger.result.code == "FAILED_USER_NOT_FOUND" and stranger.password is None

    ldap_radius.configure(enabled=False)  # nothing checks passwords: the code alone
    assert services.auth.password_target() is None
    alone = services.auth.test_user(uid, "anything", code)
    assert alone.result.code == "FAILED_OATH_CODE_DUPLICATE" and alone.password is None


class _CancelOnceThePasswordIsChecked(CancelToken):
    """The person presses Cancel while the bind runs."""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        super().report(done, total, text)
        if done == 0:
            self.cancel()


def test_cancel_after_the_password_leaves_the_code_unused(
    ldap_radius: RadiusEnv, slapd: SlapdServer
) -> None:
    services = ldap_radius.services
    uid = ldap_person(slapd, "Pw-of-lee1")
    totp = add_console_user(services, uid)
    assert totp is not None
    code = totp.now()
    token = _CancelOnceThePasswordIsChecked()
    with pytest.raises(CancelledError):
        services.auth.test_user(uid, "Pw-of-lee1", code, token)
    assert token.last[2].startswith("Checking the password with LDAP bind")
    assert _log(services, uid) == []
    assert services.auth.test_user(uid, "Pw-of-lee1", code).result.code == "OATH_CODE_VERIFIED"


def test_upstream_radius_servers(radius: RadiusEnv, upstream: FreeRadius) -> None:
    use_upstream(radius, upstream)
    totp = add_console_user(radius.services, "carol")
    assert totp is not None
    code = totp.now()
    wrong = radius.services.auth.test_user("carol", "nope", code)
    assert wrong.password is not None and not wrong.password.ok
    assert wrong.password.reason == f"rejected by 127.0.0.1:{upstream.auth_port}"
    right = radius.services.auth.test_user("carol", "carol-pw", code)
    assert right.result.code == "OATH_CODE_VERIFIED"
    assert right.target == f"RADIUS server(s): 127.0.0.1:{upstream.auth_port}"


def _users_test(services: Services, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(["--data", str(services.db.path), "users", "test", *args])


def test_command_line_password_stdin(
    ldap_radius: RadiusEnv, slapd: SlapdServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    services = ldap_radius.services
    uid = ldap_person(slapd, "Pw-of-max1")
    totp = add_console_user(services, uid)
    assert totp is not None
    code = totp.now()
    assert _users_test(services, monkeypatch, uid, stdin=f"{code}\n") == 1
    err = capsys.readouterr().err
    assert "checks passwords with LDAP bind" in err and "--password-stdin" in err

    refused = _users_test(services, monkeypatch, uid, "--password-stdin", stdin=f"bad\n{code}\n")
    out = capsys.readouterr().out
    assert refused == 3 and out.splitlines() == [
        "FAILED_PRIMARY_AUTH: The primary credentials (password) were refused.",
        "Password: refused by LDAP bind (the Directory Integration connection): wrong password.",
        "Code: not checked, so it was not used.",
    ]
    assert _users_test(
        services, monkeypatch, uid, "--password-stdin", "--json", stdin=f"Pw-of-max1\n{code}\n"
    ) == 0  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert shown["result"] == "OATH_CODE_VERIFIED" and shown["password"]["ok"]
    assert "Pw-of-max1" not in json.dumps(shown)


def test_dialog_password_field_result_words_and_cancel(
    qtbot: Any, ldap_radius: RadiusEnv, slapd: SlapdServer
) -> None:
    services = ldap_radius.services
    uid = ldap_person(slapd, "Pw-of-ned1")
    totp = add_console_user(services, uid)
    assert totp is not None
    dialog = UserTestDialog(services, uid)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password.isVisible() and dialog.note.isVisible()
    assert "LDAP bind (the Directory Integration connection)" in dialog.note.text()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert_keyboard_ok(dialog)

    def test(password: str, code: str) -> str:
        dialog.last_result = None
        dialog.password.setText(password)
        dialog.code.setText(code)
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=15_000)
        return dialog.outcome.text()

    code = totp.now()
    refused = test("wrong", code)
    assert "Test failed." in refused and "Password: refused (wrong password)." in refused
    assert "Code: not checked, so it can still be used." in refused
    passed = test("Pw-of-ned1", code)
    assert "Test passed." in passed and "Password: accepted." in passed
    assert "Code: The OATH token code was verified." in passed
    assert "OATH_CODE_VERIFIED" in passed

    dialog.password.setText("Pw-of-ned1")
    dialog.test_button.click()
    assert dialog.task is not None
    dialog.task.cancel()  # before the work starts: nothing is checked
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15_000)
    assert dialog.outcome.text() == "Test cancelled; the code was not checked."
    assert [r[0] for r in _log(services, uid)] == ["FAILED_PRIMARY_AUTH", "OATH_CODE_VERIFIED"]

    ldap_radius.configure(target="none")
    plain = UserTestDialog(services, uid)
    qtbot.addWidget(plain)
    plain.show()
    assert not plain.password.isVisible() and not plain.note.isVisible()
    assert_keyboard_ok(plain)
