"""The second factor through RADIUS: appended code and Access-Challenge, against the LDAP bind
target on the test slapd, with TOTP codes computed from the user's secret."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.auth.settings import AuthSettings
from mfa_console.core.company import CompanySettings
from mfa_console.core.resolution import OathPrompt
from tests.radius.conftest import RadiusEnv, add_console_user, ldap_person
from tests.services.slapd import SlapdServer


def _pairs(user: str, password: str, state: str = "") -> str:
    extra = f",State={state}" if state else ""
    return f"User-Name={user},User-Password={password},Message-Authenticator=0x00{extra}"


def _results(radius: RadiusEnv, username: str) -> list[str]:
    assert radius.auth_log is not None
    radius.auth_log.flush()  # what the server queued
    with radius.services.db.read() as session:
        rows = session.scalars(
            select(AuthLogRow).where(AuthLogRow.username == username).order_by(AuthLogRow.at)
        ).all()
        return [row.result for row in rows]


def test_appended_code_wrong_password_and_replayed_code(
    ldap_radius: RadiusEnv, slapd: SlapdServer
) -> None:
    uid = ldap_person(slapd, "Pw-of-dave1")
    totp = add_console_user(ldap_radius.services, uid)
    assert totp is not None
    ldap_radius.add_client(append_code=True, require_user_match=True)
    ldap_radius.start()
    code = totp.now()
    wrong = ldap_radius.send(_pairs(uid, "Not-his-pw" + code))
    assert wrong.code == "Access-Reject"
    accepted = ldap_radius.send(_pairs(uid, "Pw-of-dave1" + code))
    assert accepted.code == "Access-Accept", accepted.output
    replayed = ldap_radius.send(_pairs(uid, "Pw-of-dave1" + code))
    assert replayed.code == "Access-Reject"
    no_code = ldap_radius.send(_pairs(uid, "Pw-of-dave1"))
    assert no_code.code == "Access-Reject"
    assert _results(ldap_radius, uid) == [
        "FAILED_PRIMARY_AUTH",
        "OATH_CODE_VERIFIED",
        "FAILED_OATH_CODE_DUPLICATE",
        "FAILED_CODE_MISSING",
    ]


def test_challenge_prompt_state_and_attempts(ldap_radius: RadiusEnv, slapd: SlapdServer) -> None:
    uid = ldap_person(slapd, "Pw-of-erin1")
    totp = add_console_user(ldap_radius.services, uid)
    assert totp is not None
    ldap_radius.services.settings.save(OathPrompt("Code from the Contoso app:"))
    ldap_radius.configure(challenge_attempts=2)
    ldap_radius.add_client()
    ldap_radius.start()

    refused = ldap_radius.send(_pairs(uid, "wrong-password"))
    assert refused.code == "Access-Reject"  # never a challenge for a wrong password

    first = ldap_radius.send(_pairs(uid, "Pw-of-erin1"))
    assert first.code == "Access-Challenge", first.output
    assert first.first("Reply-Message") == "Code from the Contoso app:"
    state = first.first("State")
    again = ldap_radius.send(_pairs(uid, "000000" if totp.now() != "000000" else "111111", state))
    assert again.code == "Access-Challenge"
    assert again.first("Reply-Message").startswith("Wrong code.")
    assert again.first("State") == state
    accepted = ldap_radius.send(_pairs(uid, totp.now(), state))
    assert accepted.code == "Access-Accept", accepted.output
    reused = ldap_radius.send(_pairs(uid, totp.now(), state))
    assert reused.code == "Access-Reject"  # the State is spent

    second = ldap_radius.send(_pairs(uid, "Pw-of-erin1"))
    state2 = second.first("State")
    for expected in ("Access-Challenge", "Access-Reject"):  # two attempts per State
        assert ldap_radius.send(_pairs(uid, "12345x", state2)).code == expected


def test_lockout_disabled_and_unknown_users(ldap_radius: RadiusEnv, slapd: SlapdServer) -> None:
    services = ldap_radius.services
    services.settings.save(dataclasses.replace(AuthSettings(), lockout_denials=2))
    locked = ldap_person(slapd, "Pw-of-finn1")
    totp = add_console_user(services, locked)
    assert totp is not None
    disabled = ldap_person(slapd, "Pw-of-gus1")
    add_console_user(services, disabled)
    services.users.set_enabled([services.users.find(disabled).id], False)
    stranger = ldap_person(slapd, "Pw-of-hal1")  # in the directory, not in the console
    ldap_radius.add_client(append_code=True, require_user_match=False)
    ldap_radius.start()

    for _ in range(2):
        assert ldap_radius.send(_pairs(locked, "Pw-of-finn1000000")).code == "Access-Reject"
    assert ldap_radius.send(_pairs(locked, "Pw-of-finn1" + totp.now())).code == "Access-Reject"
    assert ldap_radius.send(_pairs(disabled, "Pw-of-gus1123456")).code == "Access-Reject"
    # user match off: a user the console does not know passes on the directory's answer
    assert ldap_radius.send(_pairs(stranger, "Pw-of-hal1")).code == "Access-Accept"
    assert ldap_radius.send(_pairs(stranger, "bad")).code == "Access-Reject"
    assert _results(ldap_radius, locked)[-1] == "AUTHENTICATION_THROTTLED"
    assert _results(ldap_radius, disabled) == ["FAILED_USER_DISABLED"]
    assert _results(ldap_radius, stranger) == ["SUCCESS_NO_USER_MATCH", "FAILED_PRIMARY_AUTH"]

    services.settings.save(dataclasses.replace(CompanySettings(), when_user_disabled="succeed"))
    services.radius.config.save_client(
        dataclasses.replace(services.radius.config.clients()[0], require_user_match=True),
        None,
        replace="127.0.0.1",
    )
    ldap_radius.start()
    assert ldap_radius.send(_pairs(disabled, "Pw-of-gus1123456")).code == "Access-Accept"
    assert ldap_radius.send(_pairs(stranger, "Pw-of-hal1")).code == "Access-Reject"


def test_target_none_checks_the_code_alone(radius: RadiusEnv) -> None:
    totp = add_console_user(radius.services, "ivy@example.test")
    assert totp is not None
    radius.add_client()
    radius.start()
    assert radius.send(_pairs("IVY@example.test", totp.now())).code == "Access-Accept"
    assert radius.send(_pairs("nobody@example.test", totp.now())).code == "Access-Reject"
