"""A server's Verifier (SQLite and PostgreSQL): concurrent claims share write transactions and
still accept a code exactly once; a claim waits for another writer's transaction and then goes;
its log rows go to the caller with the request's time; a failed statement is worded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import text

from mfa_console.app import Services
from mfa_console.core.auth.log import AuthLogEntry
from mfa_console.core.auth.results import ResultCode
from mfa_console.core.auth.verify import AuthRequest, Verifier
from mfa_console.core.db.raw import RawStatements
from mfa_console.core.errors import ConsoleError

pytestmark = pytest.mark.both_databases


def test_same_code_from_many_threads_is_accepted_once(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    rows: list[AuthLogEntry] = []
    verifier = Verifier(services.db, record=rows.append, group_commit=True)
    try:
        code = enrolled.now()
        start = threading.Barrier(12)

        def attempt(_: int) -> ResultCode:
            start.wait()
            return verifier.verify(AuthRequest(alice, code, application="VPN")).code

        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(attempt, range(12)))
    finally:
        verifier.close()
    assert codes.count(ResultCode.OATH_CODE_VERIFIED) == 1
    assert set(codes) == {ResultCode.OATH_CODE_VERIFIED, ResultCode.FAILED_OATH_CODE_DUPLICATE}
    assert len(rows) == 12
    assert {row.first_name for row in rows} == {"Alice"}  # named for the batch writer
    assert all(row.at is not None and row.application == "VPN" for row in rows)


def test_claim_waits_for_another_writer_then_goes(
    services: Services, alice: str, enrolled: pyotp.TOTP
) -> None:
    verifier = Verifier(services.db, record=lambda _row: None, group_commit=True)
    held = threading.Event()

    def hold_write_lock() -> None:
        with services.db.write() as session:
            session.execute(text("UPDATE users SET first_name = first_name"))
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    try:
        held.wait(5)
        began = time.monotonic()
        result = verifier.verify(AuthRequest(alice, enrolled.now()))
        waited = time.monotonic() - began
    finally:
        holder.join()
        verifier.close()
    assert result.code == ResultCode.OATH_CODE_VERIFIED
    assert waited >= 0.2  # it did wait for the other transaction, and was not refused


def test_failed_statement_is_reported_and_the_next_one_works(services: Services) -> None:
    from sqlalchemy import select

    from mfa_console.core.db.engine import translate_errors
    from mfa_console.core.db.models import UserRow

    raw = RawStatements(services.db.engine)
    try:
        with pytest.raises(Exception) as failed, translate_errors(services.db):
            raw.rows(text("SELECT * FROM no_such_table"), {})
        assert not isinstance(failed.value, ConsoleError)  # a bug, not a data-file problem
        assert "no_such_table" in str(failed.value)
        count = raw.rows(select(UserRow.id).where(UserRow.username_key == text("'x'")), {})
        assert count == []
    finally:
        raw.close()
