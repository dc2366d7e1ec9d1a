"""The second factor's service for the GUI, the command line and the background service."""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.auth import lockout, tokens
from mfa_console.core.auth.importing import parse_file
from mfa_console.core.auth.log import (
    AuthLogEntry,
    Cursor,
    LogFilter,
    last_hour,
    page,
    write_entry,
)
from mfa_console.core.auth.models import OathTokenRow
from mfa_console.core.auth.primary import PasswordTarget, PasswordTargets, UserTest
from mfa_console.core.auth.results import ResultCode, VerifyResult
from mfa_console.core.auth.store import TokenInfo, add_token, describe, tokens_of, user_by_name
from mfa_console.core.auth.tokens import SoftwareSecret
from mfa_console.core.auth.verify import AuthRequest, verify
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ConsoleError, NotFoundError
from mfa_console.core.keys import data_key
from mfa_console.core.progress import NullProgress, Progress, check_cancel
from mfa_console.core.settings import SettingsStore

TEST_APPLICATION = "Test User"
log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    imported: int = 0
    assigned: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # imported, but not assigned

    def to_json(self) -> dict[str, object]:
        return {
            "imported": self.imported, "assigned": self.assigned,
            "rejected": [{"line": n, "reason": r} for n, r in self.rejected],
            "not_assigned": [{"line": n, "reason": r} for n, r in self.notes],
        }  # fmt: skip


class AuthService:
    def __init__(
        self,
        db: Database,
        settings: SettingsStore,
        password_targets: PasswordTargets | None = None,
    ) -> None:
        self._db, self._settings = db, settings
        self._password_targets = password_targets

    # Verification
    def verify(self, request: AuthRequest) -> VerifyResult:
        return verify(self._db, request)

    def password_target(self) -> PasswordTarget | None:
        """Where Test User checks the password (None: only the code is checked)."""
        return self._password_targets() if self._password_targets is not None else None

    def test_user(
        self, username: str, password: str, code: str, progress: Progress | None = None
    ) -> UserTest:
        """The Test User window: the password against the primary target when there is one (as
        the RADIUS server checks it), then the code; both written to the authentication log.

        A refused password leaves the code unchecked (unused). Cancelling stops before the
        password check or between it and the code, never after the code was used."""
        progress = progress or NullProgress()
        target = self.password_target()
        check_cancel(progress)
        if target is None or not self._known(username):
            return UserTest(self._test_code(username, code))
        progress.report(0, 2, f"Checking the password with {target.description}...")
        checked = target.check(username.strip(), password)
        if not checked.ok:
            return UserTest(self._refused(username, checked.reason), target.description, checked)
        check_cancel(progress)
        progress.report(1, 2, "Checking the one-time code...")
        return UserTest(self._test_code(username, code), target.description, checked)

    def _known(self, username: str) -> bool:
        """A console user (else the code check says "no such user" without asking the target)."""
        key = username.strip().lower()
        with self._db.read() as session:
            return bool(session.scalar(select(exists().where(UserRow.username_key == key))))

    def _test_code(self, username: str, code: str) -> VerifyResult:
        result = verify(self._db, AuthRequest(username=username, code=code, **_test_origin()))
        log.info("Test User %s: %s", username, result.code)
        return result

    def _refused(self, username: str, reason: str) -> VerifyResult:
        """The password was refused: logged as the server logs it; the code is not touched."""
        code = ResultCode.FAILED_PRIMARY_AUTH
        write_entry(self._db, AuthLogEntry(username.strip(), str(code), reason, **_test_origin()))
        log.info("Test User %s: %s (%s)", username, code, reason)
        return VerifyResult(code, username.strip(), reason=reason)

    # Tokens
    def tokens(self, text: str = "") -> list[TokenInfo]:
        with self._db.read() as session:
            return describe(session, text)

    def tokens_of_user(self, username: str) -> list[TokenInfo]:
        with self._db.read() as session:
            user = user_by_name(session, username)
            serials = {t.serial for t in tokens_of(session, user.id)}
            return [t for t in describe(session) if t.serial in serials]

    def generate_software(
        self, username: str, *, set_method: bool = True, send_email: bool = False
    ) -> SoftwareSecret:
        """A new pending secret; ``set_method`` also makes OATH Token the user's method (the Edit
        User dialog does that itself, in its own save); ``send_email`` queues the enrollment
        email with the QR code, sealed, in the same transaction."""
        issuer = self._settings.load(CompanySettings).company_name
        data_key(self._db)  # created (if new) before the write transaction
        with self._db.write() as session:
            secret = tokens.generate_software(session, username, issuer, set_method=set_method)
            if send_email:
                from mfa_console.core.auth.enroll_mail import queue_token_email

                queue_token_email(session, user_by_name(session, username), secret)
        return secret

    def assign(
        self, serial: str, username: str, *, replace: bool = False, set_method: bool = True
    ) -> None:
        with self._db.write() as session:
            tokens.assign(session, serial, username, replace=replace, set_method=set_method)

    def unassign(self, serial: str) -> None:
        with self._db.write() as session:
            tokens.unassign(session, serial)

    def resync(self, serial: str, first: str, second: str) -> int:
        with self._db.write() as session:
            return tokens.resync(session, serial, first, second, time.time())

    def import_file(self, path: Path, password: str | None = None) -> ImportReport:
        parsed = parse_file(path, password)
        report = ImportReport(rejected=list(parsed.rejected))
        key = data_key(self._db)
        with self._db.write() as session:
            for item in parsed.tokens:
                if session.scalar(select(exists().where(OathTokenRow.serial == item.spec.serial))):
                    report.rejected.append((item.line, f"serial number {item.spec.serial} exists"))
                    continue
                add_token(session, key, item.spec)
                report.imported += 1
                if item.username:
                    self._assign_imported(session, item.spec.serial, item.username, item.line,
                                          report)  # fmt: skip
            audit.record(session, "token.import", path.name, None, report.to_json())
        report.rejected.sort()
        log.info("Imported %d tokens from %s (%d rejected)", report.imported, path.name,
                 len(report.rejected))  # fmt: skip
        return report

    @staticmethod
    def _assign_imported(
        session: Session, serial: str, username: str, line: int, report: ImportReport
    ) -> None:
        try:
            with session.begin_nested():
                tokens.assign(session, serial, username)
            report.assigned += 1
        except NotFoundError:
            report.notes.append((line, f"no user {username!r}: {serial} imported unassigned"))
        except tokens.TokenReplaceError as exc:
            report.notes.append((line, f"{exc.message} {serial} imported unassigned"))

    # Lockout
    def locked_users(self) -> list[lockout.LockedUser]:
        with self._db.read() as session:
            return lockout.locked_users(session, utcnow())

    def unblock(self, username: str) -> bool:
        with self._db.write() as session:
            user = user_by_name(session, username)
            done = lockout.unblock(session, user.id)
            if done:
                audit.record(session, "user.unblock", user.username)
            return done

    # Log and status
    def log_page(
        self, where: LogFilter, after: Cursor | None = None, limit: int = 200
    ) -> list[AuthLogEntry]:
        return page(self._db, where, after, limit)

    def export_log(self, where: LogFilter, path: Path, progress: Progress | None = None) -> int:
        """Write the entries ``where`` selects to a CSV file (formulas defused)."""
        from mfa_console.core.auth.logcsv import export_csv

        return export_csv(self._db, where, path, progress)

    def last_hour(self) -> tuple[int, int]:
        return last_hour(self._db)

    def users_without_usable_method(self) -> int:
        """Enabled users with no OATH token: nothing can verify them since the cloud retired."""
        with self._db.read() as session:
            has_token = exists().where(OathTokenRow.user_id == UserRow.id)
            return int(session.scalar(
                select(func.count()).select_from(UserRow).where(UserRow.enabled, ~has_token)
            ) or 0)  # fmt: skip


class _Origin(TypedDict):
    server_name: str
    server_ip: str
    client_ip: str
    application: str


def _test_origin() -> _Origin:
    return {"server_name": socket.gethostname(), "server_ip": "127.0.0.1",
            "client_ip": "127.0.0.1", "application": TEST_APPLICATION}  # fmt: skip


def since_text(value: str) -> datetime:
    """``--since``: an ISO date/time (UTC) or a span back from now: 15m, 2h, 7d."""
    text = value.strip()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[-1:] in units and text[:-1].isdigit():
        return utcnow() - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ConsoleError(
            f"--since {value!r} is not a time.",
            hint="Use e.g. 2026-11-29, 2026-11-29T08:00, 30m, 12h or 7d.",
        ) from None
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)
