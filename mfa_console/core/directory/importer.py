"""Create or update console users from directory records; never disables or deletes anyone.

Records are matched by ``directory_id`` first, then by username among users that have no
directory id yet (they are adopted). Writes go in batches, each in one write transaction with an
audit entry per user; a cancelled import keeps the batches already written. Every record ends up
counted: created, updated, unchanged, or skipped with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.directory.records import DirectoryUser
from mfa_console.core.email_queue import EmailQueue, no_email
from mfa_console.core.errors import ValidationError
from mfa_console.core.progress import Progress, check_cancel
from mfa_console.core.settings import SettingsStore
from mfa_console.core.users.methods import LANGUAGES
from mfa_console.core.users.phones import PhoneError, parse_phone
from mfa_console.core.users.records import UserInput
from mfa_console.core.users.service import snapshot, to_user
from mfa_console.core.users.validation import normalize

BATCH_SIZE = 500
PHONE_ORDER = ("business", "mobile", "home", "ip_phone", "pager", "custom", "fax")
_DIRECTORY_FIELDS = ("username", "first_name", "last_name", "email", "user_group")


@dataclass(frozen=True)
class ImportOptions:
    """Which directory phones become the phone and the backup phone."""

    phone_kind: str = "business"
    backup_phone_kind: str = "mobile"


DEFAULT_OPTIONS = ImportOptions()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (username or DN, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # (username, note): imported, but something was left out (an unreadable phone...)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"user": who, "reason": why} for who, why in self.skipped],
            "warnings": [{"user": who, "note": why} for who, why in self.warnings],
        }

    def summary(self) -> str:
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )
        return text


def import_users(
    db: Database,
    settings: SettingsStore,
    records: Iterable[DirectoryUser],
    progress: Progress,
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    total: int | None = None,
    email_queue: EmailQueue = no_email,
) -> ImportResult:
    """Import ``records`` in batches; returns the counts (see ``ImportResult``). Users created
    get their enrollment email queued in the same transaction (when email is set up)."""
    company = settings.load(CompanySettings)
    result = ImportResult()
    seen_ids: set[str] = set()
    done = 0
    for batch in _batches(records, BATCH_SIZE):
        check_cancel(progress)
        with db.write() as session:
            created = _import_batch(session, batch, company, options, result, seen_ids)
            for user_id in created:
                email_queue(session, user_id, "new")
        done += len(batch)
        progress.report(done, total, f"Imported {done} users")
    return result


def _batches(records: Iterable[DirectoryUser], size: int) -> Iterator[list[DirectoryUser]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _import_batch(
    session: Session,
    batch: list[DirectoryUser],
    company: CompanySettings,
    options: ImportOptions,
    result: ImportResult,
    seen_ids: set[str],
) -> list[int]:
    """Import one batch; returns the ids of the users it created."""
    ids = [r.directory_id for r in batch if r.directory_id]
    keys = [r.username.strip().lower() for r in batch if r.username.strip()]
    by_id = {
        row.directory_id: row
        for row in session.scalars(select(UserRow).where(UserRow.directory_id.in_(ids)))
    }
    by_key = {
        row.username_key: row
        for row in session.scalars(select(UserRow).where(UserRow.username_key.in_(keys)))
    }
    existing = {row.id for row in (*by_id.values(), *by_key.values())}
    for record in batch:
        reason = _skip_reason(record, seen_ids)
        if reason:
            result.skipped.append((record.username or record.dn, reason))
            continue
        seen_ids.add(record.directory_id)
        _import_one(session, record, company, options, result, by_id, by_key)
    session.flush()
    return [row.id for row in by_id.values() if row.id not in existing]


def _skip_reason(record: DirectoryUser, seen_ids: set[str]) -> str:
    if not record.directory_id:
        return "it has no unique identifier in the directory (check the attribute mapping)"
    if not record.username.strip():
        return "it has no username in the directory (check the username attribute mapping)"
    if record.directory_id in seen_ids:
        return "it was listed twice"
    return ""


def _import_one(
    session: Session,
    record: DirectoryUser,
    company: CompanySettings,
    options: ImportOptions,
    result: ImportResult,
    by_id: dict[str | None, UserRow],
    by_key: dict[str, UserRow],
) -> None:
    key = record.username.strip().lower()
    row = by_id.get(record.directory_id)
    named = by_key.get(key)
    if row is None and named is not None:
        if named.directory_id and named.directory_id != record.directory_id:
            result.skipped.append(
                (record.username, "another directory user already has this username")
            )
            return
        row = named  # a user without a directory id: adopt it
    elif row is not None and named is not None and named.id != row.id:
        result.skipped.append(
            (record.username, f"renamed in the directory, but {named.username} exists already")
        )
        return
    phones, notes = directory_phones(record, options, company.default_country_code)
    for note in notes:
        result.warnings.append((record.username, note))
    try:
        row = _save(session, row, record, phones, company, result)
    except ValidationError as exc:
        if "email" not in exc.problems:
            result.skipped.append((record.username, f"not valid: {exc}"))
            return
        # An email the console cannot accept does not keep the user out: import without it.
        result.warnings.append((record.username, f"email left out: {exc.problems['email']}"))
        record = dataclasses.replace(record, email="")
        try:
            row = _save(session, row, record, phones, company, result)
        except ValidationError as again:
            result.skipped.append((record.username, f"not valid: {again}"))
            return
    by_id[record.directory_id] = row
    by_key.pop(named.username_key if named is not None else "", None)
    by_key[row.username_key] = row


def _save(
    session: Session,
    row: UserRow | None,
    record: DirectoryUser,
    phones: dict[str, str],
    company: CompanySettings,
    result: ImportResult,
) -> UserRow:
    if row is None:
        row = _create(session, record, phones, company)
        result.created += 1
    elif _update(session, row, record, phones, company):
        result.updated += 1
    else:
        result.unchanged += 1
    return row


def directory_phones(
    record: DirectoryUser, options: ImportOptions, country_code: int
) -> tuple[dict[str, str], list[str]]:
    """phone/extension/backup_phone/backup_extension from the record, parsed; plus notes for
    numbers that could not be read (those are left out)."""
    parsed: dict[str, tuple[str, str]] = {}
    notes: list[str] = []
    for kind, raw in record.phones.items():
        extension = record.extension if kind == options.phone_kind else ""
        try:
            phone = parse_phone(raw, country_code, extension)
        except PhoneError as exc:
            notes.append(f"{kind} phone left out: {exc}")
            continue
        if phone is not None:
            parsed[kind] = (phone.e164, phone.extension)
    order = [options.phone_kind, options.backup_phone_kind]
    order += [k for k in PHONE_ORDER if k not in order and k != "fax"]
    chosen = [parsed[k] for k in order if k in parsed]
    chosen = list(dict.fromkeys(chosen))
    values: dict[str, str] = {}
    if chosen:
        values["phone"], values["extension"] = chosen[0]
    if len(chosen) > 1:
        values["backup_phone"], values["backup_extension"] = chosen[1]
    return values, notes


def _languages(record: DirectoryUser) -> dict[str, str]:
    return {m: lang for m, lang in record.languages.items() if lang in LANGUAGES}


def _create(
    session: Session,
    record: DirectoryUser,
    phones: dict[str, str],
    company: CompanySettings,
) -> UserRow:
    needs_phone = company.default_method in ("phone-call", "text-message")
    data = UserInput(
        username=record.username.strip(),
        first_name=record.first_name,
        last_name=record.last_name,
        email=record.email,
        user_group=record.user_group,
        languages=_languages(record),
        # a disabled directory account, or no phone for a phone method: created disabled
        enabled=not record.disabled and (bool(phones.get("phone")) or not needs_phone),
        source="directory",
        directory_id=record.directory_id,
        dn=record.dn,
        **phones,  # type: ignore[arg-type]
    )
    values = normalize(data, company)
    row = UserRow()
    _apply(row, values)
    row.created_at = row.updated_at = utcnow()
    row.updated_by = audit.current_actor()
    row.version = 1
    session.add(row)  # inserted with the batch: conflicts were ruled out above
    audit.record(session, "user.add", row.username, None, snapshot(row))
    return row


def _update(
    session: Session,
    row: UserRow,
    record: DirectoryUser,
    phones: dict[str, str],
    company: CompanySettings,
) -> bool:
    """Refresh the directory fields; keeps method, mode, PIN and Enabled. True if changed."""
    current = to_user(row).to_input()
    changes: dict[str, Any] = {name: getattr(record, name).strip() for name in _DIRECTORY_FIELDS}
    changes.update(phones)  # no phone in the directory keeps the stored one
    languages = {**current.languages, **_languages(record)}
    data = dataclasses.replace(
        current,
        **changes,
        languages=languages,
        source="directory",
        directory_id=record.directory_id,
        dn=record.dn,
    )
    values = normalize(data, company, pin_history=row.pin_history)
    before = snapshot(row)
    _apply(row, values)
    after = snapshot(row)
    if before == after:
        return False
    row.updated_at, row.updated_by = utcnow(), audit.current_actor()
    row.version += 1
    audit.record(session, "user.update", row.username, before, after)
    return True


def _apply(row: UserRow, values: dict[str, Any]) -> None:
    values.pop("pin", None)  # imports never set a PIN
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    if row.pin_history is None:
        row.pin_history = "[]"
