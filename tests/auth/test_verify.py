"""Verification against a real data file (SQLite and PostgreSQL): window, replay, old codes,
lockout, policies, log."""

from __future__ import annotations

import time

import pyotp
import pytest

from mfa_console.app import Services
from mfa_console.core.auth.log import LogFilter
from mfa_console.core.auth.results import ResultCode
from mfa_console.core.auth.settings import AuthSettings
from mfa_console.core.auth.verify import AuthRequest, verify
from mfa_console.core.company import CompanySettings
from mfa_console.core.users.records import UserInput

pytestmark = pytest.mark.both_databases
STEP = 30


def check(services: Services, user: str, code: str, now: float) -> ResultCode:
    return verify(services.db, AuthRequest(user, code, application="tests"), now=now).code


def test_codes_at_the_current_step_and_either_side(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    now = time.time()
    assert check(services, alice, enrolled.at(now - STEP), now) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, enrolled.at(now), now) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, enrolled.at(now + STEP), now) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, enrolled.at(now + 2 * STEP), now) == (
        ResultCode.FAILED_OATH_CODE_INCORRECT
    )


def test_duplicate_and_old_codes_are_refused(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    now = time.time()
    assert check(services, alice, enrolled.at(now), now) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, enrolled.at(now), now) == ResultCode.FAILED_OATH_CODE_DUPLICATE
    assert check(services, alice, enrolled.at(now - STEP), now) == ResultCode.FAILED_OATH_CODE_OLD


def test_window_is_configurable(services: Services, alice: str, enrolled: pyotp.TOTP) -> None:
    services.settings.save(AuthSettings(oath_window_steps=0))
    now = time.time()
    assert check(services, alice, enrolled.at(now - STEP), now) == (
        ResultCode.FAILED_OATH_CODE_INCORRECT
    )
    assert check(services, alice, enrolled.at(now), now) == ResultCode.OATH_CODE_VERIFIED


def test_new_secret_becomes_active_at_its_first_code(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    now = time.time()
    assert check(services, alice, enrolled.at(now), now) == ResultCode.OATH_CODE_VERIFIED
    first = services.auth.tokens_of_user(alice)
    assert [t.state for t in first] == ["active"]
    from tests.auth.conftest import totp_for

    newer = totp_for(services.auth.generate_software(alice).secret)
    later = now + 3 * STEP
    assert check(services, alice, enrolled.at(later), later) == ResultCode.OATH_CODE_VERIFIED
    assert sorted(t.state for t in services.auth.tokens_of_user(alice)) == ["active", "pending"]
    later += 3 * STEP
    assert check(services, alice, newer.at(later), later) == ResultCode.OATH_CODE_VERIFIED
    tokens = services.auth.tokens_of_user(alice)
    assert [t.state for t in tokens] == ["active"] and tokens[0].serial != first[0].serial
    later += 3 * STEP
    assert check(services, alice, enrolled.at(later), later) == (
        ResultCode.FAILED_OATH_CODE_INCORRECT
    )


def test_lockout_counts_wrong_duplicate_and_old_codes(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    services.settings.save(AuthSettings(lockout_denials=3, lockout_unblock_minutes=0))
    now = time.time()
    assert check(services, alice, enrolled.at(now), now) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, enrolled.at(now), now) == ResultCode.FAILED_OATH_CODE_DUPLICATE
    assert check(services, alice, enrolled.at(now - STEP), now) == ResultCode.FAILED_OATH_CODE_OLD
    wrong = "000000" if enrolled.at(now + STEP) != "000000" else "111111"
    assert check(services, alice, wrong, now) == ResultCode.FAILED_OATH_CODE_INCORRECT
    assert [u.username for u in services.auth.locked_users()] == [alice]
    right = enrolled.at(now + STEP)
    assert check(services, alice, right, now) == ResultCode.AUTHENTICATION_THROTTLED
    assert services.auth.unblock(alice)
    assert services.auth.locked_users() == []
    assert check(services, alice, right, now) == ResultCode.OATH_CODE_VERIFIED


def test_lockout_ends_by_itself_and_counter_resets(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    services.settings.save(
        AuthSettings(lockout_denials=2, lockout_counter_reset_minutes=1, lockout_unblock_minutes=5)
    )
    now = time.time()
    assert check(services, alice, "000001", now) == ResultCode.FAILED_OATH_CODE_INCORRECT
    # The counter restarts after a minute: one more denial does not lock.
    assert check(services, alice, "000001", now + 61) == ResultCode.FAILED_OATH_CODE_INCORRECT
    assert check(services, alice, enrolled.at(now + 62), now + 62) == ResultCode.OATH_CODE_VERIFIED
    assert check(services, alice, "000001", now + 90) == ResultCode.FAILED_OATH_CODE_INCORRECT
    assert check(services, alice, "000001", now + 91) == ResultCode.FAILED_OATH_CODE_INCORRECT
    assert check(services, alice, enrolled.at(now + 120), now + 120) == (
        ResultCode.AUTHENTICATION_THROTTLED
    )
    after = now + 91 + 5 * 60 + 1
    assert check(services, alice, enrolled.at(after), after) == ResultCode.OATH_CODE_VERIFIED


def test_users_disabled_missing_cloud_and_tokenless(services: Services, alice: str) -> None:
    now = time.time()
    assert check(services, "nobody@example.test", "123456", now) == (
        ResultCode.FAILED_USER_NOT_FOUND
    )
    assert check(services, alice, "123456", now) == ResultCode.FAILED_METHOD_REQUIRES_CLOUD
    services.users.add(UserInput(username="bob@example.test", method="oath-token"))
    assert check(services, "bob@example.test", "123456", now) == ResultCode.FAILED_NO_OATH_TOKEN
    assert services.auth.users_without_usable_method() == 2
    services.users.add(UserInput(username="carol@example.test", method="oath-token", enabled=False))
    assert check(services, "carol@example.test", "1", now) == ResultCode.FAILED_USER_DISABLED
    company = services.settings.load(CompanySettings)
    from dataclasses import replace

    services.settings.save(replace(company, when_user_disabled="succeed"))
    result = verify(services.db, AuthRequest("carol@example.test", ""), now=now)
    assert result.code == ResultCode.SUCCESS_USER_DISABLED and result.ok


def test_every_attempt_is_logged_with_the_chosen_fields(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    now = time.time()
    verify(
        services.db,
        AuthRequest(
            alice,
            enrolled.at(now),
            server_name="vpn1",
            server_ip="10.1.1.1",
            client_ip="10.2.2.2",
            application="VPN",
        ),
        now=now,
    )
    services.settings.save(AuthSettings(log_names=False, log_email=False))
    check(services, alice, "999999", now)
    rows = services.auth.log_page(LogFilter(user="ALICE@example.test"))
    assert [r.result for r in rows] == ["FAILED_OATH_CODE_INCORRECT", "OATH_CODE_VERIFIED"]
    denied, verified = rows
    assert (verified.first_name, verified.last_name, verified.email) == (
        "Alice",
        "Liddell",
        "alice@example.test",
    )
    assert (verified.server_name, verified.server_ip, verified.client_ip, verified.application) == (
        "vpn1",
        "10.1.1.1",
        "10.2.2.2",
        "VPN",
    )
    assert (denied.first_name, denied.last_name, denied.email) == ("", "", "")
    assert denied.id != verified.id and denied.id.version == 7
    assert services.auth.last_hour() == (1, 1)
    only = services.auth.log_page(LogFilter(result="OATH_CODE_VERIFIED"))
    assert len(only) == 1
