"""UserService: add, edit, remove, enable and disable users; every change validated and audited.

Saves are optimistic: an edit names the version it started from and is refused with
``ConcurrentEditError`` when someone else (another console, a sync) saved the user meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.email_queue import EmailQueue, no_email
from mfa_console.core.errors import (
    AlreadyExistsError,
    ConcurrentEditError,
    NotFoundError,
    ValidationError,
)
from mfa_console.core.settings import SettingsStore
from mfa_console.core.users import pins
from mfa_console.core.users.query import UserQuery
from mfa_console.core.users.records import User, UserInput, languages_of

# Fields shown in the audit trail (secrets and bookkeeping left out).
AUDITED = (
    "username",
    "first_name",
    "last_name",
    "email",
    "user_group",
    "phone",
    "extension",
    "backup_phone",
    "backup_extension",
    "method",
    "mode",
    "language_phone_call",
    "language_text_message",
    "language_mobile_app",
    "language_oath_token",
    "enabled",
    "pin_change_required",
    "source",
    "directory_id",
    "dn",
)


def normalize(
    data: UserInput, company: CompanySettings, *, pin_history: str = "[]"
) -> dict[str, Any]:
    """``validation.normalize``, imported on first use (phonenumbers is not needed at start)."""
    from mfa_console.core.users import validation

    return validation.normalize(data, company, pin_history=pin_history)


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        version=row.version,
        username=row.username,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        user_group=row.user_group,
        phone=row.phone,
        extension=row.extension,
        backup_phone=row.backup_phone,
        backup_extension=row.backup_extension,
        method=row.method,
        mode=row.mode,
        languages=languages_of(row),
        enabled=row.enabled,
        has_pin=row.pin_hash is not None,
        pin_change_required=row.pin_change_required,
        source=row.source,
        directory_id=row.directory_id,
        dn=row.dn,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def snapshot(row: UserRow) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in AUDITED}
    data["pin"] = row.pin_hash is not None and row.pin_hash[-8:]  # changes when the PIN changes
    return data


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


class UserService:
    def __init__(
        self, db: Database, settings: SettingsStore, email_queue: EmailQueue = no_email
    ) -> None:
        self._db = db
        self._settings = settings
        self._queue_email = email_queue

    def company(self) -> CompanySettings:
        return self._settings.load(CompanySettings)

    def validate(self, data: UserInput) -> dict[str, Any]:
        """Check ``data`` as a save would (the dialogs call this as you type)."""
        return normalize(data, self.company())

    # Reads ---------------------------------------------------------------------------------
    def get(self, user_id: int) -> User:
        with self._db.read() as session:
            return to_user(self._row(session, user_id))

    def find(self, username: str) -> User:
        with self._db.read() as session:
            return to_user(self._row_by_name(session, username))

    def find_many(self, usernames: Iterable[str]) -> dict[str, User]:
        """Users by lower-cased username, for the names that exist."""
        keys = {name.strip().lower() for name in usernames if name}
        with self._db.read() as session:
            rows = session.scalars(select(UserRow).where(UserRow.username_key.in_(keys)))
            return {row.username_key: to_user(row) for row in rows}

    def iter_all(self, batch: int = 500) -> Iterator[User]:
        """Every user in id order, fetched in keyset pages (flat memory for any size)."""
        last = 0
        while True:
            with self._db.read() as session:
                rows = list(
                    session.scalars(
                        select(UserRow).where(UserRow.id > last).order_by(UserRow.id).limit(batch)
                    )
                )
            yield from (to_user(row) for row in rows)
            if len(rows) < batch:
                return
            last = rows[-1].id

    def query(self, text: str = "", sort: str = "username", descending: bool = False) -> UserQuery:
        """A paging, SQL-sorted query over the users matching ``text`` (the Users table)."""
        return UserQuery(self._db, text, sort, descending)

    def totals(self) -> tuple[int, int]:
        """(users, enabled users), each read from an index."""
        everyone = UserQuery(self._db)
        return everyone.count(), everyone.count_enabled()

    def count(self) -> tuple[int, int]:
        """(total, enabled)."""
        with self._db.read() as session:
            total, enabled = session.execute(
                select(func.count(UserRow.id), func.count(UserRow.id).filter(UserRow.enabled))
            ).one()
            return int(total), int(enabled)

    # Writes --------------------------------------------------------------------------------
    def add(self, data: UserInput, *, send_email: bool = False) -> User:
        """Add a user; with ``send_email``, its enrollment email is queued in the same
        transaction (with the initial PIN, if one was set)."""
        company = self.company()
        values = normalize(data, company)
        pin = values.get("pin")
        with self._db.write() as session:
            self._refuse_duplicate(session, values["username_key"], None)
            row = UserRow()
            self._apply(row, values, company)
            row.created_at = row.updated_at = utcnow()
            row.updated_by = audit.current_actor()
            row.version = 1
            session.add(row)
            self._flush(session, values["username"])
            audit.record(session, "user.add", row.username, None, snapshot(row))
            if send_email:
                self._queue_email(session, row.id, "new", pin=pin)
            return to_user(row)

    def update(
        self, user_id: int, expected_version: int, data: UserInput, *, send_email: bool = False
    ) -> User:
        """Save an edit made from ``expected_version``; with ``send_email``, queue the updated
        account email (or the new PIN, when one was set) in the same transaction."""
        company = self.company()
        with self._db.write() as session:
            row = self._row(session, user_id)
            self._check_version(row, expected_version)
            values = normalize(data, company, pin_history=row.pin_history)
            self._refuse_duplicate(session, values["username_key"], user_id)
            before = snapshot(row)
            self._apply(row, values, company)
            row.updated_at, row.updated_by = utcnow(), audit.current_actor()
            row.version += 1
            self._flush(session, values["username"])
            audit.record(session, "user.edit", row.username, before, snapshot(row))
            if send_email:
                reason = "pin" if data.pin else "updated"
                self._queue_email(session, row.id, reason, pin=data.pin or None)
            return to_user(row)

    def check_many(self, items: Sequence[tuple[int, UserInput]]) -> list[tuple[int, str]]:
        """What a ``save_many`` of ``items`` would refuse, by line; nothing is written."""
        company = self.company()
        problems = []
        for line, data in items:
            try:
                normalize(data, company)
            except ValidationError as exc:
                problems.append((line, exc.message))
        return problems

    def save_many(self, items: Sequence[tuple[int, UserInput]]) -> BulkResult:
        """Create or update (by username) many users in one transaction; invalid ones are reported
        by their ``line`` and skipped. No optimistic check: a bulk import overwrites on purpose."""
        company = self.company()
        result = BulkResult()
        actor = audit.current_actor()
        with self._db.write() as session:
            keys = {data.username.strip().lower() for _, data in items}
            rows = {
                row.username_key: row
                for row in session.scalars(select(UserRow).where(UserRow.username_key.in_(keys)))
            }
            for line, data in items:
                row = rows.get(data.username.strip().lower())
                try:
                    values = normalize(data, company, pin_history=row.pin_history if row else "[]")
                except ValidationError as exc:
                    result.rejected.append((line, exc.message))
                    continue
                if row is None:
                    row = UserRow(created_at=utcnow(), version=0)
                    session.add(row)
                    rows[values["username_key"]] = row
                    before = None
                    result.created += 1
                else:
                    before = snapshot(row)
                    result.updated += 1
                self._apply(row, values, company)
                row.updated_at, row.updated_by = utcnow(), actor
                row.version = (row.version or 0) + 1
                audit.record(
                    session, "user.import", row.username, before, snapshot(row), actor=actor
                )
        return result

    def set_enabled(self, user_ids: Sequence[int], enabled: bool) -> int:
        """Enable or disable users; returns how many changed."""
        changed = 0
        with self._db.write() as session:
            for user_id in user_ids:
                row = self._row(session, user_id)
                if row.enabled == enabled:
                    continue
                row.enabled = enabled
                row.updated_at, row.updated_by = utcnow(), audit.current_actor()
                row.version += 1
                action = "user.enable" if enabled else "user.disable"
                audit.record(
                    session, action, row.username, {"enabled": not enabled}, {"enabled": enabled}
                )
                changed += 1
        return changed

    def remove(self, user_ids: Iterable[int]) -> int:
        removed = 0
        with self._db.write() as session:
            for user_id in user_ids:
                row = self._row(session, user_id)
                audit.record(session, "user.remove", row.username, snapshot(row), None)
                session.delete(row)
                removed += 1
        return removed

    def generate_pin(self, phones: Iterable[str | None] = ()) -> str:
        company = self.company()
        return pins.generate_pin(
            min_length=company.pin_min_length, prevent_weak=company.prevent_weak_pins, phones=phones
        )

    # Helpers -------------------------------------------------------------------------------
    @staticmethod
    def _apply(row: UserRow, values: dict[str, Any], company: CompanySettings) -> None:
        pin = values.pop("pin", None)
        for name, value in values.items():
            setattr(row, name, value)
        if pin is not None:
            row.pin_hash = pins.hash_pin(pin)
            row.pin_history = pins.push_history(
                row.pin_history or "[]", row.pin_hash, company.pin_history
            )
            row.pin_changed_at = utcnow()
        elif row.pin_history is None:
            row.pin_history = "[]"

    @staticmethod
    def _row(session: Session, user_id: int) -> UserRow:
        row = session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError(
                f"User #{user_id} no longer exists (it may have been removed by another console "
                "or a synchronization)."
            )
        return row

    @staticmethod
    def _row_by_name(session: Session, username: str) -> UserRow:
        row = session.scalar(
            select(UserRow).where(UserRow.username_key == username.strip().lower())
        )
        if row is None:
            raise NotFoundError(f"There is no user named {username!r}.")
        return row

    @staticmethod
    def _check_version(row: UserRow, expected: int) -> None:
        if row.version != expected:
            raise ConcurrentEditError(
                f"{row.username} was changed by {row.updated_by or 'someone else'} at "
                f"{row.updated_at:%Y-%m-%d %H:%M:%S} UTC since you opened it. Your changes were "
                "not saved.",
                hint="Close the dialog, open the user again to see the changes, and redo yours.",
            )

    @staticmethod
    def _refuse_duplicate(session: Session, key: str, own_id: int | None) -> None:
        other = session.scalar(select(UserRow.id).where(UserRow.username_key == key))
        if other is not None and other != own_id:
            raise AlreadyExistsError(
                f"A user named {key!r} exists already (usernames ignore case).",
                hint="Edit that user instead, or choose another username.",
            )

    @staticmethod
    def _flush(session: Session, username: str) -> None:
        try:
            session.flush()
        except IntegrityError:
            raise AlreadyExistsError(
                f"{username!r} (or its directory id) belongs to another user already."
            ) from None
