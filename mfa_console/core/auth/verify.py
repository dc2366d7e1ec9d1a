"""Verify a one-time code for a user: policy, window, replay guard, lockout, log.

Two phases, so the write lock is held only briefly: a read (user, tokens, settings, lockout) and
the code computation outside any transaction, then one short write transaction with the replay
guard's compare-and-set (``UPDATE ... WHERE last_step < :step``; a row count of 0 means another
process accepted that step first), the lockout counter and the log row. Test User and the service
are separate processes; the compare-and-set is what makes one code succeed exactly once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from mfa_console.core.auth import lockout
from mfa_console.core.auth.log import AuthLogEntry, add_entry
from mfa_console.core.auth.models import AuthUserStateRow, OathTokenRow, OathTokenStateRow
from mfa_console.core.auth.results import COUNTED, ResultCode, VerifyResult
from mfa_console.core.auth.settings import AuthSettings, load_in
from mfa_console.core.auth.store import seed_purpose
from mfa_console.core.auth.totp import matching_step, step_at
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.models import UserRow
from mfa_console.core.keys import data_key_in

CLOUD_METHODS = frozenset({"phone-call", "text-message", "mobile-app"})
_TOKEN_COLUMNS = (
    OathTokenRow.id, OathTokenRow.serial, OathTokenRow.state, OathTokenRow.seed_sealed,
    OathTokenRow.algorithm, OathTokenRow.digits, OathTokenRow.period,
)  # fmt: skip


@dataclass(frozen=True)
class AuthRequest:
    username: str
    code: str
    server_name: str = ""
    server_ip: str = ""
    client_ip: str = ""
    application: str = ""


@dataclass
class _Match:
    token_id: str
    state: str
    step: int


@dataclass(frozen=True)
class _User:
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    enabled: bool
    method: str
    mode: str
    denials: int | None  # None: no lockout state yet
    locked_until: datetime | None


_USER_COLUMNS = (
    UserRow.id, UserRow.username, UserRow.first_name, UserRow.last_name, UserRow.email,
    UserRow.enabled, UserRow.method, UserRow.mode, AuthUserStateRow.denials,
    AuthUserStateRow.locked_until,
)  # fmt: skip


# Built once: a verification only binds values (statement construction dominated its time).
_USER_QUERY = (
    select(*_USER_COLUMNS)
    .outerjoin(AuthUserStateRow, AuthUserStateRow.user_id == UserRow.id)
    .where(UserRow.username_key == bindparam("key"))
)
_TOKENS_QUERY = (
    select(*_TOKEN_COLUMNS, OathTokenStateRow.drift)
    .join(OathTokenStateRow, OathTokenStateRow.token_id == OathTokenRow.id)
    .where(OathTokenRow.user_id == bindparam("user_id"))
)
# The replay guard's compare-and-set: a row count of 1 means this process claimed the step.
_CLAIM = (
    update(OathTokenStateRow)
    .where(OathTokenStateRow.token_id == bindparam("token"))
    .where(OathTokenStateRow.last_step < bindparam("step"))
    .values(last_step=bindparam("step"))
)


@dataclass
class _Facts:
    user: _User | None
    settings: AuthSettings
    early: ResultCode | None = None  # decided before any code is computed
    match: _Match | None = None
    reason: str = ""


def verify(
    db: Database, request: AuthRequest, *, now: float | None = None, log: bool = True
) -> VerifyResult:
    """Check ``request``; record it in the authentication log unless ``log`` is False."""
    unix = time.time() if now is None else now
    at = datetime.fromtimestamp(unix, UTC).replace(tzinfo=None)  # stored times are naive UTC
    with db.read() as session:
        facts = _read(session, request, unix, at)
    with db.write() as session:
        code = _decide(session, facts, at)
        result = VerifyResult(code, request.username, facts.user.id if facts.user else None,
                              facts.reason)  # fmt: skip
        if log:
            add_entry(session, _log_entry(request, facts, result, at), facts.user, facts.settings)
    return result


def _read(session: Session, request: AuthRequest, unix: float, at: datetime) -> _Facts:
    settings = load_in(session, AuthSettings)
    found = session.execute(_USER_QUERY, {"key": request.username.strip().lower()}).first()
    user = _User(**found._asdict()) if found is not None else None
    facts = _Facts(user, settings)
    if user is None:
        facts.early = ResultCode.FAILED_USER_NOT_FOUND
    elif not user.enabled:
        fallback = load_in(session, CompanySettings).when_user_disabled
        facts.early = (
            ResultCode.SUCCESS_USER_DISABLED if fallback == "succeed"
            else ResultCode.FAILED_USER_DISABLED
        )  # fmt: skip
    elif user.locked_until is not None and user.locked_until > at:
        facts.early = ResultCode.AUTHENTICATION_THROTTLED
    else:
        _match_code(session, facts, request.code, unix)
    return facts


def _match_code(session: Session, facts: _Facts, code: str, unix: float) -> None:
    assert facts.user is not None
    rows = session.execute(_TOKENS_QUERY, {"user_id": facts.user.id}).all()
    if not rows:
        cloud = facts.user.method in CLOUD_METHODS
        facts.early = (
            ResultCode.FAILED_METHOD_REQUIRES_CLOUD if cloud else ResultCode.FAILED_NO_OATH_TOKEN
        )
        return
    typed = "".join(code.split())
    if not typed:
        facts.early = ResultCode.FAILED_CODE_MISSING
        return
    key = data_key_in(session)
    for token in sorted(rows, key=lambda row: row.state):  # active before pending
        if len(typed) != token.digits or not typed.isdigit():
            continue
        center = step_at(unix, token.period) + token.drift
        seed = key.open(token.seed_sealed, seed_purpose(token.id))
        step = matching_step(seed, typed, center, facts.settings.oath_window_steps,
                             digits=token.digits, algorithm=token.algorithm)  # fmt: skip
        if step is not None:
            facts.match = _Match(token.id, token.state, step)
            facts.reason = f"token {token.serial}"
            return


def _decide(session: Session, facts: _Facts, at: datetime) -> ResultCode:
    if facts.early is not None:
        return facts.early
    assert facts.user is not None
    code = ResultCode.FAILED_OATH_CODE_INCORRECT
    if facts.match is not None:
        code = _claim_step(session, facts.match)
    if code in COUNTED:
        if lockout.count_denial(session, facts.user.id, facts.settings, at):
            facts.reason = (facts.reason + "; " if facts.reason else "") + "user locked out"
    else:
        if facts.user.denials:
            lockout.reset(session, facts.user.id)
        if facts.match is not None and facts.match.state == "pending":
            _activate(session, facts.user.id, facts.match.token_id)
    return code


def _claim_step(session: Session, match: _Match) -> ResultCode:
    claimed: Any = session.execute(_CLAIM, {"token": match.token_id, "step": match.step})
    if claimed.rowcount == 1:
        return ResultCode.OATH_CODE_VERIFIED
    last = session.scalar(
        select(OathTokenStateRow.last_step).where(OathTokenStateRow.token_id == match.token_id)
    )
    return (
        ResultCode.FAILED_OATH_CODE_DUPLICATE
        if last == match.step
        else ResultCode.FAILED_OATH_CODE_OLD
    )


def _activate(session: Session, user_id: int, token_id: str) -> None:
    """A new secret's first valid code: it replaces the user's active token."""
    from mfa_console.core.auth.tokens import retire

    for token in session.scalars(
        select(OathTokenRow).where(OathTokenRow.user_id == user_id, OathTokenRow.state == "active")
    ):
        retire(session, token)
    session.flush()
    session.execute(update(OathTokenRow).where(OathTokenRow.id == token_id).values(state="active"))


def _log_entry(
    request: AuthRequest, facts: _Facts, result: VerifyResult, at: datetime
) -> AuthLogEntry:
    user = facts.user
    return AuthLogEntry(
        username=user.username if user else request.username, result=str(result.code),
        reason=facts.reason, method="oath-token" if facts.match or not user else user.method,
        mode=user.mode if user and not facts.match else "standard",
        server_name=request.server_name, server_ip=request.server_ip,
        client_ip=request.client_ip, application=request.application, at=at,
    )  # fmt: skip
