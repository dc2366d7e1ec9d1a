"""Search, sort and page the users table fast enough for every keystroke at 200,000 users.

The search text is split into terms; a user matches when every term matches. A term of three or
more characters matches anywhere in the username, first or last name, email or phone (as a
substring, case-insensitive), through the FTS5 trigram index on SQLite, the pg_trgm GIN index of
the narrow ``users_search`` table on PostgreSQL (one lower-cased text of those fields per user,
``SEARCH_TEXT_SQL``, kept by a trigger), ``LIKE`` elsewhere. A
phone-like term ("555-1234", "(425)") also matches its digits, so "555123" and "+1555" find
phones. One- and two-character terms match at the *start* of those fields (two characters) or of
the username and last name (one character), read from index ranges: a trigram index cannot serve
them and a scan would be as slow as having no index.

Pages are read by position (the table model asks for rows as they come into view). Rows in the
second half come from the reversed sort, so the last page costs what the first one does. When a
filter matches many users the sort's own index is walked and stops after one page; when it
matches few, the matches are sorted directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    TextClause,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute

from mfa_console.core.db import Database
from mfa_console.core.db.models import UserRow
from mfa_console.core.users.methods import LANGUAGE_FIELDS
from mfa_console.core.users.records import User

SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "username": UserRow.username_key,
    "enabled": UserRow.enabled,
    "method": UserRow.method,
    "phone": UserRow.phone,
    "email": UserRow.email,
    "user_group": UserRow.user_group,
    "source": UserRow.source,
    "updated_at": UserRow.updated_at,
}
NULLABLE_SORTS = frozenset({"phone"})
FTS_TABLE = "users_fts"
# Above this many matches a page walks the sort's index; below it the matches are sorted.
DENSE_MATCHES = 4000
# Past this position a dense page probes the FTS list instead of checking LIKE on each row.
DEEP_OFFSET = 3000
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")
# PostgreSQL's search text of a user (migration 0007 keeps it in ``users_search``). Terms hold no
# spaces, so no match spans two fields.
SEARCH_TEXT_SQL = (
    "lower((username || ' ' || first_name || ' ' || last_name || ' ' || email || ' ' || "
    "coalesce(phone, '')) COLLATE \"default\")"
)
USERS_SEARCH = Table(
    "users_search", MetaData(), Column("id", Integer, primary_key=True), Column("text", String)
)


@dataclass(frozen=True)
class SearchTerms:
    """The search text split into FTS phrases (three characters and more) and prefixes."""

    long: tuple[str, ...]
    short: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SearchTerms:
        terms = [t.lower() for t in text.split()]
        return cls(tuple(t for t in terms if len(t) >= 3), tuple(t for t in terms if len(t) < 3))

    def __bool__(self) -> bool:
        return bool(self.long or self.short)


def phone_digits(term: str) -> str | None:
    """The digits of a phone-like term ("+" kept), or None when the term is not phone-like."""
    if not _PHONE_CHARS.match(term):
        return None
    digits = ("+" if term.startswith("+") else "") + re.sub(r"\D", "", term)
    return digits if digits != term and len(digits.lstrip("+")) >= 3 else None


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every term as a quoted phrase, phone digits as an alternative."""
    parts = []
    for term in terms:
        phrase = '"' + term.replace('"', '""') + '"'
        digits = phone_digits(term)
        parts.append(f'({phrase} OR "{digits}")' if digits else phrase)
    return " AND ".join(parts)


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (binary order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_condition(term: str, *, use_index: bool = True) -> ColumnElement[bool]:
    """Usernames (or, for "+12", phones) starting with a one- or two-character ``term``.

    Both are index ranges. ``use_index=False`` hides the range from the planner (``|| ''``), so
    that a page of many matches walks the sort's index and checks each row instead of sorting
    every match.
    """
    column: Any = UserRow.phone if term.startswith("+") else UserRow.username_key
    value = column if use_index else column.concat("")
    return and_(value >= term, value < _next_prefix(term))


def name_prefix_condition(term: str) -> ColumnElement[bool]:
    """A further short term of a search: a username, first or last name starting with it."""
    escaped = _escape_like(term) + "%"
    columns = (UserRow.username_key, func.lower(UserRow.first_name), func.lower(UserRow.last_name))
    return or_(*(column.like(escaped, escape="\\") for column in columns))


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def trigram_condition(term: str) -> ColumnElement[bool]:
    """PostgreSQL: the term (or its phone digits) inside a ``users_search`` text."""
    column = USERS_SEARCH.c.text
    found = [column.like(f"%{_escape_like(term)}%", escape="\\")]
    digits = phone_digits(term)
    if digits:
        found.append(column.like(f"%{digits}%"))
    return or_(*found)


def like_condition(term: str) -> ColumnElement[bool]:
    """Substring match without FTS (other databases, or SQLite without trigram)."""
    escaped = _escape_like(term)
    columns = (UserRow.first_name, UserRow.last_name, UserRow.email)
    found = [UserRow.username_key.like(f"%{escaped}%", escape="\\")]
    found += [func.lower(c).like(f"%{escaped}%", escape="\\") for c in columns]
    found.append(UserRow.phone.like(f"%{escaped}%", escape="\\"))
    digits = phone_digits(term)
    if digits:
        found.append(UserRow.phone.like(f"%{digits}%"))
    return or_(*found)


class UserQuery:
    """Users matching ``text`` in the order of ``sort``: count, pages by position, or a stream."""

    def __init__(
        self, db: Database, text: str = "", sort: str = "username", descending: bool = False
    ) -> None:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
        self.db = db
        self.text = text
        self.sort = sort
        self.descending = descending
        self.terms = SearchTerms.parse(text)

    # Counting -------------------------------------------------------------------------------
    @cached_property
    def _sqlite(self) -> bool:
        return self.db.engine.dialect.name == "sqlite"

    @cached_property
    def _postgres(self) -> bool:
        return self.db.engine.dialect.name == "postgresql"

    @cached_property
    def _fts(self) -> bool:
        return self._sqlite and _has_fts(self.db)

    def count(self) -> int:
        """How many users match (cached: a query describes one moment; make a new one later)."""
        return self._count

    @cached_property
    def _count(self) -> int:
        if not self.terms:
            stmt = select(func.count()).select_from(UserRow)
        elif self._fts and not self.terms.short:
            stmt = select(func.count()).select_from(text(FTS_TABLE)).where(self._fts_match())
        elif self._postgres and not self.terms.short:
            stmt = select(func.count()).select_from(USERS_SEARCH).where(*self._trigram())
        else:
            stmt = select(func.count()).select_from(UserRow).where(*self._conditions(False))
        with self.db.read() as session:
            return int(session.execute(stmt).scalar_one())

    def count_enabled(self) -> int:
        """How many matching users are enabled."""
        stmt = select(func.count()).select_from(UserRow).where(UserRow.enabled.is_(True))
        stmt = stmt.where(*self._conditions(per_row=False))
        with self.db.read() as session:
            return int(session.execute(stmt).scalar_one())

    # Paging ---------------------------------------------------------------------------------
    def ids(self, offset: int, limit: int) -> list[int]:
        """The ids of the users at positions ``offset`` .. ``offset + limit - 1``."""
        total = self.count()
        offset = max(0, offset)
        limit = min(limit, total - offset)
        if limit <= 0:
            return []
        reverse = offset + limit / 2 > total / 2
        if reverse:
            offset = total - offset - limit
        stmt = self._ordered(select(UserRow.id), reverse, deep=offset > DEEP_OFFSET)
        with self.db.read() as session:
            ids = list(session.scalars(stmt.offset(offset).limit(limit)))
        return ids[::-1] if reverse else ids

    def ids_next_to(self, user: User, limit: int, *, before: bool = False) -> list[int] | None:
        """Keyset paging: the ids of the ``limit`` users just after (or before) ``user``.

        Costs one page whatever the position, unlike an offset. None when the sort column may
        be empty (phone): the caller reads by position instead.
        """
        if self.sort in NULLABLE_SORTS:
            return None
        keys = self._keys()
        values = _key_values(user, keys)
        greater = self.descending == before
        current, seen = tuple_(*keys), _typed(keys, values)
        stmt = self._ordered(select(UserRow.id), before).limit(limit)
        stmt = stmt.where(current > seen if greater else current < seen)
        with self.db.read() as session:
            ids = list(session.scalars(stmt))
        return ids[::-1] if before else ids

    def page(self, offset: int, limit: int) -> list[User]:
        """The users at positions ``offset`` .. ``offset + limit - 1`` (fewer at the end)."""
        return self.users(self.ids(offset, limit))

    def users(self, ids: Sequence[int]) -> list[User]:
        """The users with ``ids``, in that order (ids removed meanwhile are left out)."""
        if not ids:
            return []
        with self.db.read() as session:
            rows = session.execute(select(*_USER_COLUMNS).where(UserRow.id.in_(ids)))
            found = {row[0]: _user(row) for row in rows}
        return [found[i] for i in ids if i in found]

    def position(self, user_id: int) -> int | None:
        """The row of ``user_id`` in this query's order, or None when it does not match."""
        keys, conditions = self._keys(), self._conditions(False)
        with self.db.read() as session:
            found = session.execute(select(*keys).where(UserRow.id == user_id, *conditions)).first()
            if found is None:
                return None
            values = tuple(found)
            if values[0] is None:  # a missing phone: among the missing ones, by username
                is_null, name_key, name = keys[0].is_(None), keys[-1], values[-1]
                if self.descending:
                    before: ColumnElement[bool] = keys[0].is_not(None) | (
                        is_null & (name_key > name)
                    )
                else:
                    before = is_null & (name_key < _typed([name_key], [name]))
            else:
                current, seen = tuple_(*keys), _typed(keys, values)
                before = current > seen if self.descending else current < seen
                if self.sort in NULLABLE_SORTS and not self.descending:
                    before = before | keys[0].is_(None)
            stmt = select(func.count()).select_from(UserRow).where(before, *conditions)
            return int(session.execute(stmt).scalar_one())

    def iter_all(self, batch: int = 500) -> Iterator[User]:
        """Every matching user in order, read in keyset batches (memory stays flat)."""
        if self.sort in NULLABLE_SORTS:
            # Missing values first (last when descending), ordered by username among themselves.
            column, keys = SORTS[self.sort], self._keys()
            segments = [(column.is_(None), keys[1:]), (column.is_not(None), keys)]
            if self.descending:
                segments.reverse()
            for segment, segment_keys in segments:
                yield from self._keyset(batch, segment, segment_keys)
        else:
            yield from self._keyset(batch, None, self._keys())

    def _keyset(
        self, batch: int, segment: ColumnElement[bool] | None, keys: list[Any]
    ) -> Iterator[User]:
        last: list[Any] | None = None
        while True:
            stmt = self._ordered(select(*_USER_COLUMNS), False, per_row=False).limit(batch)
            if segment is not None:
                stmt = stmt.where(segment)
            if last is not None:
                current, seen = tuple_(*keys), _typed(keys, last)
                stmt = stmt.where(current < seen if self.descending else current > seen)
            with self.db.read() as session:
                users = [_user(row) for row in session.execute(stmt)]
            if users:
                last = _key_values(users[-1], keys)
            yield from users
            if len(users) < batch:
                return

    # Building blocks ------------------------------------------------------------------------
    def _keys(self) -> list[InstrumentedAttribute[Any]]:
        column = SORTS[self.sort]
        return [column] if self.sort == "username" else [column, UserRow.username_key]

    def _ordered(
        self, stmt: Select[Any], reverse: bool, *, per_row: bool = True, deep: bool = False
    ) -> Select[Any]:
        descending = self.descending != reverse
        order = [key.desc() if descending else key.asc() for key in self._keys()]
        if not self._sqlite and self.sort in NULLABLE_SORTS:
            order[0] = order[0].nulls_last() if descending else order[0].nulls_first()
        stmt = stmt.order_by(*order)
        if not self.terms:
            return stmt
        # Many matches: walk the sort's index and check each row, which stops after one page.
        # LIKE agrees with the trigram index for ASCII terms; deep in the list, or for other
        # terms, each row is looked up in the list of FTS matches instead.
        dense = per_row and self.count() > DENSE_MATCHES
        return stmt.where(*self._conditions(dense, deep=deep))

    @cached_property
    def _ascii(self) -> bool:
        return all(term.isascii() for term in self.terms.long)

    def _trigram_filter(self, per_row: bool) -> ColumnElement[bool]:
        """PostgreSQL: many matches near the top, each row of the sort's index is looked up in
        ``users_search`` (the walk stops after a page); else the matches are listed once
        (a materialized list: never searched again per row) and sorted."""
        if per_row:
            return exists().where(USERS_SEARCH.c.id == UserRow.id, *self._trigram())
        matches = select(USERS_SEARCH.c.id).where(*self._trigram()).cte("matches")
        return UserRow.id.in_(select(matches.prefix_with("MATERIALIZED").c.id))

    def _trigram(self) -> list[ColumnElement[bool]]:
        return [trigram_condition(term) for term in self.terms.long]

    def _fts_match(self) -> TextClause:
        return text(f"{FTS_TABLE} MATCH :fts_query").bindparams(
            fts_query=fts_query(self.terms.long)
        )

    def _conditions(self, per_row: bool, *, deep: bool = False) -> list[ColumnElement[bool]]:
        """The filter over ``users``: FTS matches as a list, or each row checked on its own."""
        short = list(self.terms.short)
        conditions = []
        if short and not self.terms.long:
            first = short.pop(0)
            on_sort_column = self.sort == ("phone" if first.startswith("+") else "username")
            conditions.append(prefix_condition(first, use_index=on_sort_column or not per_row))
        conditions += [name_prefix_condition(term) for term in short]
        if self.terms.long and self._fts and not (per_row and self._ascii and not deep):
            fts = select(text("rowid")).select_from(text(FTS_TABLE)).where(self._fts_match())
            # "+ 0" keeps the planner on the sort's index, probing the list row by row.
            column = UserRow.id + 0 if per_row else UserRow.id
            conditions.append(column.in_(fts))
        elif self.terms.long and self._postgres:
            conditions.append(self._trigram_filter(per_row and not deep))
        elif self.terms.long:
            conditions += [like_condition(term) for term in self.terms.long]
        return conditions


_USER_COLUMNS = (
    UserRow.id,
    UserRow.version,
    UserRow.username,
    UserRow.first_name,
    UserRow.last_name,
    UserRow.email,
    UserRow.user_group,
    UserRow.phone,
    UserRow.extension,
    UserRow.backup_phone,
    UserRow.backup_extension,
    UserRow.method,
    UserRow.mode,
    *(getattr(UserRow, column) for column in LANGUAGE_FIELDS.values()),
    UserRow.enabled,
    UserRow.pin_hash.is_not(None),
    UserRow.pin_change_required,
    UserRow.source,
    UserRow.directory_id,
    UserRow.dn,
    UserRow.created_at,
    UserRow.updated_at,
    UserRow.updated_by,
)
_LANGUAGE_COUNT = len(LANGUAGE_FIELDS)


def _user(row: Sequence[Any]) -> User:
    """A ``User`` from a row of ``_USER_COLUMNS`` (what ``to_user`` makes, without the ORM)."""
    languages = dict(zip(LANGUAGE_FIELDS, row[13 : 13 + _LANGUAGE_COUNT], strict=True))
    rest = row[13 + _LANGUAGE_COUNT :]
    return User(*row[:13], languages, rest[0], bool(rest[1]), *rest[2:])  # type: ignore[call-arg]


def _key_values(user: User, keys: Sequence[Any]) -> list[Any]:
    """The values of the sort ``keys`` for ``user``."""
    return [
        user.username.lower() if k is UserRow.username_key else getattr(user, k.key) for k in keys
    ]


def _typed(keys: Sequence[Any], values: Sequence[Any]) -> Any:
    """``values`` as a row value with the keys' types (datetimes as SQLAlchemy stores them)."""
    pairs = zip(keys, values, strict=True)
    return tuple_(*(literal(value, type_=key.type) for key, value in pairs))


def _has_fts(db: Database) -> bool:
    cached = _FTS_PRESENT.get(db.url)
    if cached is None:
        with db.read() as session:
            cached = bool(
                session.execute(
                    text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": FTS_TABLE},
                ).first()
            )
        _FTS_PRESENT[db.url] = cached
    return cached


_FTS_PRESENT: dict[str, bool] = {}
