"""Verify a one-time code for a user: policy, window, replay guard, lockout, log.

The write lock is held only briefly: a read (user, tokens, lockout) and the code computation run
outside any transaction; then the replay guard's compare-and-set (``UPDATE ... WHERE last_step <
:step``; a row count of 0 means another process accepted that step first) is one short write
transaction; then, only when something changes, the lockout counter or a pending token's
activation, with the log row unless the caller batches log rows. Test User and the service are
separate processes; the compare-and-set is what makes one code succeed exactly once.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from mfa_console.core.auth import lockout
from mfa_console.core.auth.log import AuthLogEntry, add_entry, uuid7
from mfa_console.core.auth.models import AuthUserStateRow, OathTokenRow, OathTokenStateRow
from mfa_console.core.auth.results import COUNTED, ResultCode, VerifyResult
from mfa_console.core.auth.settings import AuthSettings, load_in
from mfa_console.core.auth.store import seed_purpose
from mfa_console.core.auth.totp import matching_step, step_at
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.db.models import UserRow
from mfa_console.core.db.raw import GroupedWrites, RawStatements
from mfa_console.core.keys import DataKey, data_key

T = TypeVar("T")
CLOUD_METHODS = frozenset({"phone-call", "text-message", "mobile-app"})


@dataclass(frozen=True)
class AuthRequest:
    username: str
    code: str
    server_name: str = ""
    server_ip: str = ""
    client_ip: str = ""
    application: str = ""


@dataclass(frozen=True)
class _Token:
    token_id: str
    serial: str
    state: str
    seed_sealed: bytes
    algorithm: str
    digits: int
    period: int
    drift: int


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


_USER_COLUMNS = (  # in the order of _User's fields
    UserRow.id, UserRow.username, UserRow.first_name, UserRow.last_name, UserRow.email,
    UserRow.enabled, UserRow.method, UserRow.mode, AuthUserStateRow.denials,
    AuthUserStateRow.locked_until,
)  # fmt: skip


_TOKEN_COLUMNS = (  # in the order of _Token's fields
    OathTokenRow.id.label("token_id"), OathTokenRow.serial, OathTokenRow.state,
    OathTokenRow.seed_sealed, OathTokenRow.algorithm, OathTokenRow.digits, OathTokenRow.period,
    OathTokenStateRow.drift,
)  # fmt: skip
_TOKEN_AT = len(_USER_COLUMNS)  # a lookup row: the user's columns, the token's, the user's key
_KEY_AT = _TOKEN_AT + len(_TOKEN_COLUMNS)

Rows = list[Sequence[Any]]  # the rows of one user in a lookup (a row per token, at least one)


@functools.cache
def _lookup(count: int) -> ClauseElement:
    """One statement reads the users whose key is one of ``count`` names, their lockout state
    and their tokens with their replay-guard state (built once per count: a verification only
    binds values)."""
    keys = [bindparam(f"k{i}", type_=String) for i in range(count)]
    return (
        select(*_USER_COLUMNS, *_TOKEN_COLUMNS, UserRow.username_key)
        .select_from(UserRow)
        .outerjoin(AuthUserStateRow, AuthUserStateRow.user_id == UserRow.id)
        .outerjoin(OathTokenRow, OathTokenRow.user_id == UserRow.id)
        .outerjoin(OathTokenStateRow, OathTokenStateRow.token_id == OathTokenRow.id)
        .where(UserRow.username_key.in_(keys))
    )


_LAST_STEP = select(OathTokenStateRow.last_step).where(
    OathTokenStateRow.token_id == bindparam("token")
)
# The replay guard's compare-and-set: a row count of 1 means this process claimed the step.
# (Two processes may verify at once, e.g. Test User and the service: exactly one claims it.)
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


class Verifier:
    """Verifications for a long-running server, and the one path every verification takes.

    A server keeps one: the settings it reads are cached for ``settings_ttl`` seconds (a change
    in Company Settings reaches a running server within that time), the data key is opened
    once, and the common statements (the read, the replay guard's compare-and-set) run on DBAPI
    connections of its own (``core.db.raw``): SQLAlchemy's per-execution work was most of a
    verification's time. The rarer writes (the lockout counter, a pending token's activation)
    follow in a second, ORM transaction. ``record``, when given, takes the log row instead of
    writing it (the RADIUS server writes them in batches). With ``group_commit`` the claims of
    concurrent verifications share write transactions (``core.db.raw.GroupedWrites``), so a
    server keeps up while another writer holds the lock. ``close()`` returns the connections.
    """

    def __init__(
        self,
        db: Database,
        *,
        record: Callable[[AuthLogEntry], None] | None = None,
        settings_ttl: float = 0.0,
        group_commit: bool = False,
    ) -> None:
        self.db = db
        self.record = record
        self.settings_ttl = settings_ttl
        self.reads = RawStatements(db.engine)
        self._writes = RawStatements(db.engine, poll_lock=group_commit)
        self._grouped = GroupedWrites(self._writes, _CLAIM) if group_commit else None
        self._settings: tuple[float, AuthSettings, str] | None = None
        self._key: DataKey | None = None

    def warm(self) -> None:
        """Do now what the first verification would otherwise do: read the settings, open the
        data key (a keyring call), open the connections and compile the statements."""
        with translate_errors(self.db):
            self._policy()
            self._data_key()
            self.reads.prepare(_lookup(1), _lookup(2), _LAST_STEP)
            self._writes.prepare(_CLAIM)

    def close(self) -> None:
        self.reads.close()
        if self._grouped is not None:
            self._grouped.close()
        self._writes.close()

    def verify(
        self,
        request: AuthRequest,
        *,
        now: float | None = None,
        log: bool = True,
        rows: Rows | None = None,
    ) -> VerifyResult:
        """``rows``: the user's rows of a ``lookup()`` made for this request a moment ago (the
        RADIUS server looks the user up first), else read now."""
        unix = time.time() if now is None else now
        at = datetime.fromtimestamp(unix, UTC).replace(tzinfo=None)  # stored times: naive UTC
        with translate_errors(self.db):
            facts = self._read(request, unix, at, rows)
            code = self._claim(facts)
        write_log = log and self.record is None
        if _bookkeeping(facts, code) or write_log:
            with self.db.write() as session:
                _keep_books(session, facts, code, at)  # may add "user locked out" to the reason
                if write_log:
                    entry = _log_entry(request, facts, code, at)
                    add_entry(session, entry, facts.user, facts.settings)
        if log and self.record is not None:
            self.record(_named(_log_entry(request, facts, code, at), facts))
        return VerifyResult(code, request.username, facts.user.id if facts.user else None,
                            facts.reason)  # fmt: skip

    def lookup(self, names: Sequence[str]) -> dict[str, Rows]:
        """The rows of each of ``names`` that is a console user, by its key (one statement)."""
        keys = [name.strip().lower() for name in names]
        found: dict[str, Rows] = {}
        if keys:
            params = {f"k{i}": key for i, key in enumerate(keys)}
            for row in self.reads.rows(_lookup(len(keys)), params):
                found.setdefault(row[_KEY_AT], []).append(row)
        return found

    def _read(self, request: AuthRequest, unix: float, at: datetime, rows: Rows | None) -> _Facts:
        settings, when_disabled = self._policy()
        if rows is None:
            rows = self.lookup([request.username]).get(request.username.strip().lower(), [])
        user = _user(rows[0]) if rows else None
        facts = _Facts(user, settings)
        if user is None:
            facts.early = ResultCode.FAILED_USER_NOT_FOUND
        elif not user.enabled:
            facts.early = (
                ResultCode.SUCCESS_USER_DISABLED if when_disabled == "succeed"
                else ResultCode.FAILED_USER_DISABLED
            )  # fmt: skip
        elif user.locked_until is not None and user.locked_until > at:
            facts.early = ResultCode.AUTHENTICATION_THROTTLED
        else:
            tokens = [_Token(*row[_TOKEN_AT:_KEY_AT]) for row in rows if _has_token(row)]
            self._match_code(facts, tokens, request.code, unix)
        return facts

    def _policy(self) -> tuple[AuthSettings, str]:
        cached = self._settings
        if cached is None or time.monotonic() - cached[0] >= self.settings_ttl:
            with self.db.read() as session:
                when_disabled = load_in(session, CompanySettings).when_user_disabled
                cached = (time.monotonic(), load_in(session, AuthSettings), when_disabled)
            self._settings = cached
        return cached[1], cached[2]

    def _data_key(self) -> DataKey:
        if self._key is None:
            self._key = data_key(self.db)
        return self._key

    def _match_code(self, facts: _Facts, tokens: list[_Token], code: str, unix: float) -> None:
        assert facts.user is not None
        if not tokens:
            cloud = facts.user.method in CLOUD_METHODS
            facts.early = (
                ResultCode.FAILED_METHOD_REQUIRES_CLOUD if cloud
                else ResultCode.FAILED_NO_OATH_TOKEN
            )  # fmt: skip
            return
        typed = "".join(code.split())
        if not typed:
            facts.early = ResultCode.FAILED_CODE_MISSING
            return
        for token in sorted(tokens, key=lambda row: row.state):  # active before pending
            if len(typed) != token.digits or not typed.isdigit():
                continue
            center = step_at(unix, token.period) + token.drift
            seed = self._data_key().open(token.seed_sealed, seed_purpose(token.token_id))
            step = matching_step(seed, typed, center, facts.settings.oath_window_steps,
                                 digits=token.digits, algorithm=token.algorithm)  # fmt: skip
            if step is not None:
                facts.match = _Match(token.token_id, token.state, step)
                facts.reason = f"token {token.serial}"
                return

    def _claim(self, facts: _Facts) -> ResultCode:
        """The replay guard: claim the matched step, in a write transaction of its own."""
        if facts.early is not None:
            return facts.early
        match = facts.match
        if match is None:
            return ResultCode.FAILED_OATH_CODE_INCORRECT
        params = {"token": match.token_id, "step": match.step}
        if self._grouped is not None:
            claimed = self._grouped.run(params)
        else:
            claimed = self._writes.write(_CLAIM, [params])[0]
        if claimed == 1:
            return ResultCode.OATH_CODE_VERIFIED
        last = self.reads.rows(_LAST_STEP, {"token": match.token_id})
        if last and last[0][0] == match.step:
            return ResultCode.FAILED_OATH_CODE_DUPLICATE
        return ResultCode.FAILED_OATH_CODE_OLD


def verify(
    db: Database, request: AuthRequest, *, now: float | None = None, log: bool = True
) -> VerifyResult:
    """Check ``request``; record it in the authentication log unless ``log`` is False."""
    verifier = Verifier(db)
    try:
        return verifier.verify(request, now=now, log=log)
    finally:
        verifier.close()


def _bookkeeping(facts: _Facts, code: ResultCode) -> bool:
    """Whether the lockout state or a token changes after this result."""
    if facts.early is not None or facts.user is None:
        return False
    if code in COUNTED:
        return True
    pending = facts.match is not None and facts.match.state == "pending"
    return bool(facts.user.denials) or pending


def _keep_books(session: Session, facts: _Facts, code: ResultCode, at: datetime) -> None:
    """Count a denial (perhaps locking the user out), or clear the count and activate a
    pending token after a verified code."""
    if not _bookkeeping(facts, code):
        return
    assert facts.user is not None
    if code in COUNTED:
        if lockout.count_denial(session, facts.user.id, facts.settings, at):
            facts.reason = (facts.reason + "; " if facts.reason else "") + "user locked out"
        return
    if facts.user.denials:
        lockout.reset(session, facts.user.id)
    if facts.match is not None and facts.match.state == "pending":
        _activate(session, facts.user.id, facts.match.token_id)


def _activate(session: Session, user_id: int, token_id: str) -> None:
    """A new secret's first valid code: it replaces the user's active token."""
    from mfa_console.core.auth.tokens import retire

    for token in session.scalars(
        select(OathTokenRow).where(OathTokenRow.user_id == user_id, OathTokenRow.state == "active")
    ):
        retire(session, token)
    session.flush()
    session.execute(update(OathTokenRow).where(OathTokenRow.id == token_id).values(state="active"))


def _log_entry(request: AuthRequest, facts: _Facts, code: ResultCode, at: datetime) -> AuthLogEntry:
    user = facts.user
    return AuthLogEntry(
        username=user.username if user else request.username, result=str(code),
        reason=facts.reason, method="oath-token" if facts.match or not user else user.method,
        mode=user.mode if user and not facts.match else "standard",
        server_name=request.server_name, server_ip=request.server_ip,
        client_ip=request.client_ip, application=request.application, at=at,
    )  # fmt: skip


def _has_token(row: Sequence[Any]) -> bool:
    return row[_KEY_AT - 1] is not None  # the token's replay-guard state (outer joins)


def user_fields(rows: Rows) -> tuple[str, bool, str]:
    """The username, whether enabled, and the method, of a user's lookup rows."""
    user = _user(rows[0])
    return user.username, user.enabled, user.method


def _user(row: Sequence[Any]) -> _User:
    """The user part of a lookup row (as the driver returns it: SQLite's dates are text)."""
    values = list(row[:_TOKEN_AT])
    values[5] = bool(values[5])  # enabled
    values[9] = _timestamp(values[9])  # locked_until
    return _User(*values)


def _timestamp(value: datetime | str | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _named(entry: AuthLogEntry, facts: _Facts) -> AuthLogEntry:
    """The entry with the user's names filled in, so that a batch writer need not look them up,
    and its id (a batch writer keeps the moment's time and id)."""
    user = facts.user
    return replace(
        entry,
        id=uuid7(),
        first_name=user.first_name if user else "",
        last_name=user.last_name if user else "",
        email=user.email if user else "",
    )
