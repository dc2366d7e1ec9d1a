"""Planning: what a directory user should look like in the data file, and what must change.

Pure functions over plain values (no database, no directory), so the rules are easy to read and to
test. Stored users are compared through a digest of the synchronized columns, which keeps the
memory of a 100,000-user run small: only ids, digests and a few flags are held per user.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from mfa_console.core.company import CompanySettings
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.text import clean
from mfa_console.core.users.methods import DEFAULT_MODE, LANGUAGE_FIELDS, METHODS
from mfa_console.core.users.phones import Phone, PhoneError, parse_phone
from mfa_console.core.users.validation import text_problems

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser

# Columns a sync writes on every update; their digest decides "unchanged".
SYNCED = (
    "username",
    "first_name",
    "last_name",
    "email",
    "user_group",
    "phone",
    "extension",
    "backup_phone",
    "backup_extension",
    "dn",
)
LANGUAGE_COLUMNS = tuple(LANGUAGE_FIELDS.values())


class Existing(NamedTuple):
    """What a run keeps in memory per stored directory user."""

    user_id: int
    version: int
    enabled: bool
    managed: bool  # has a sync_members row
    item_id: int | None
    disabled_by_sync: bool
    source_digest: int
    written_version: int

    def unchanged_since_written(self, item_id: int | None, source: int) -> bool:
        """True when the directory values and the stored user are as this sync left them."""
        return (
            self.managed
            and self.item_id == item_id
            and self.source_digest == source
            and self.version == self.written_version
        )


def digest(values: tuple[Any, ...]) -> int:
    return hash(values)


def language_columns(key: str) -> dict[str, str]:
    """The language columns of a languages key ("en|fr|en|en")."""
    return dict(zip(LANGUAGE_COLUMNS, key.split("|"), strict=True))


def item_fingerprint(item: SyncItem, company: CompanySettings) -> str:
    """What of an item and the company settings shapes a synced user (changing it re-plans all)."""
    return "|".join(
        str(v)
        for v in (
            item.id,
            item.phone_attribute,
            item.backup_phone_attribute,
            item.update_existing,
            company.default_country_code,
        )
    )


def source_digest(user: DirectoryUser, fingerprint: str) -> int:
    """A stable 56-bit digest of a directory user's mapped values (stored between runs).

    ``repr`` of strings, booleans and dicts is stable across processes (the reader fills the
    dicts in a fixed order), unlike ``hash``.
    """
    values = (
        fingerprint,
        user.dn,
        user.username,
        user.first_name,
        user.last_name,
        user.email,
        user.user_group,
        user.extension,
        user.disabled,
        user.phones,
        user.languages,
    )
    raw = hashlib.blake2b(repr(values).encode(), digest_size=7).digest()
    return int.from_bytes(raw, "big")


def languages_key(values: tuple[str, ...]) -> str:
    return sys.intern("|".join(values))


@dataclass
class Desired:
    """The synchronized columns of one directory user, plus the problems met building them."""

    values: dict[str, Any]
    languages: dict[str, str]
    problems: list[str] = field(default_factory=list)
    # Why the text rules refuse this user ("" when they accept it): the user is skipped.
    refused: str = ""

    def digest(self) -> int:
        return digest(tuple(self.values[name] for name in SYNCED))

    def languages_for(self, current: str) -> str:
        stored = dict(zip(LANGUAGE_COLUMNS, current.split("|"), strict=False))
        for method, language in self.languages.items():
            stored[LANGUAGE_FIELDS[method]] = language
        return languages_key(tuple(stored[c] for c in LANGUAGE_COLUMNS))


@lru_cache(maxsize=16384)
def _parse(raw: str, country_code: int, extension: str) -> Phone | str | None:
    try:
        return parse_phone(raw, country_code, extension)
    except PhoneError as exc:
        return str(exc)


def phone_values(
    raw: str, country_code: int, extension: str, label: str, problems: list[str]
) -> tuple[str | None, str]:
    """(E.164 or None, extension); an invalid number yields no phone and one problem."""
    if not raw:
        return None, ""
    parsed = _parse(raw.strip(), country_code, extension.strip())
    if isinstance(parsed, str):
        problems.append(f"{label} {raw!r} was not stored: {parsed}")
        return None, ""
    if parsed is None:
        return None, ""
    return parsed.e164, parsed.extension


def desired(user: DirectoryUser, item: SyncItem, company: CompanySettings) -> Desired:
    problems: list[str] = []
    phones = user.phones or {}
    phone, extension = phone_values(
        phones.get(item.phone_attribute, "") if item.phone_attribute else "",
        company.default_country_code,
        user.extension or "",
        "Phone",
        problems,
    )
    backup, backup_extension = phone_values(
        phones.get(item.backup_phone_attribute, "") if item.backup_phone_attribute else "",
        company.default_country_code,
        "",
        "Backup phone",
        problems,
    )
    values = {
        "username": clean(user.username or ""),
        "first_name": clean(user.first_name or ""),
        "last_name": clean(user.last_name or ""),
        "email": clean(user.email or ""),
        "user_group": clean(user.user_group or ""),
        "phone": phone,
        "extension": extension,
        "backup_phone": backup,
        "backup_extension": backup_extension,
        "dn": user.dn,
    }
    languages = {m: lang for m, lang in (user.languages or {}).items() if m in LANGUAGE_FIELDS}
    refused = text_problems(values)
    return Desired(values, languages, problems, "; ".join(refused.values()))


DELETED = "deleted from the directory"
OUT_OF_SCOPE = {
    "matched": "out of scope: no longer in any sync item (still in the directory)",
    "unmatched": "out of scope: the user filter no longer matches it (still in the directory)",
    "outside": "out of scope: moved outside the base DN (still in the directory)",
}


def missing_policy(on_removed: str, where: str | None, *, remove_missing: bool) -> tuple[str, str]:
    """(action, reason) for a stored user no item returned; ``where`` from ``locate``.

    ``where`` None: the directory no longer has the user. Removal ("remove" policy, or Remove
    users no longer in the directory) is only for those; a user who fell out of scope is at most
    disabled, even under an item whose action is Remove.
    """
    if where is None:
        return ("remove" if remove_missing else on_removed), DELETED
    reason = OUT_OF_SCOPE.get(where, OUT_OF_SCOPE["matched"])
    if on_removed == "remove":
        return "disable", f"{reason}; disabled, not removed: only deleted users are removed"
    return on_removed, reason


def new_user_defaults(item: SyncItem, company: CompanySettings) -> tuple[str, str, dict[str, str]]:
    """(method, mode, language columns) of a user a sync creates: the item's, else company's."""
    method = item.method if item.method in METHODS else company.default_method
    if item.mode:
        mode = item.mode
    elif method == company.default_method:
        mode = company.default_mode
    else:
        mode = DEFAULT_MODE[method]
    languages = {
        column: item.languages.get(method_name) or company.language_for(method_name)
        for method_name, column in LANGUAGE_FIELDS.items()
    }
    return method, mode, languages


def enabled_for_new(user: DirectoryUser, item: SyncItem, has_phone: bool) -> bool:
    if user.disabled:
        return False
    if item.enable_policy == "all":
        return True
    return item.enable_policy == "new-with-phone" and has_phone


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]
