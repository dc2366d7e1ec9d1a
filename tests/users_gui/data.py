"""Bulk test data for the users tests: varied users inserted fast, as a sync would leave them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from mfa_console.app import Services

FIRST = ["Ann", "John", "Maria", "Søren", "Zoë", "Peter", "Olivia", "Ömer", "Grace", "Liam"]
LAST = ["Smith", "Johnson", "Østergaard", "Garcia", "O'Brien", "Nakamura", "Lee", "Brown"]
METHODS = [("phone-call", "standard"), ("text-message", "otp"), ("mobile-app", "standard")]
COLUMNS = str.split(
    "username username_key first_name last_name email user_group phone extension backup_phone "
    "backup_extension method mode pin_change_required pin_history language_phone_call "
    "language_text_message language_mobile_app language_oath_token enabled source created_at "
    "updated_at updated_by version"
)


def insert_users(services: Services, count: int, seed: int = 1) -> None:
    """``count`` varied users inserted in bulk (the FTS triggers keep the index up to date)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        username = f"{first}.{last}{n}@contoso.com".lower().replace("'", "")
        method, mode = rng.choice(METHODS)
        phone = None if n % 7 == 0 else f"+1425{rng.randint(2000000, 9999999)}"
        changed = f"{start + timedelta(hours=rng.randint(0, 5000)):%Y-%m-%d %H:%M:%S.%f}"
        rows.append(
            (
                *(username, username.lower(), first, last, username, rng.choice(["IT", "Sales"])),
                *(phone, "", None, "", method, mode, False, "[]", "en", "en", "en", "en"),
                *(n % 5 != 0, "manual" if n % 3 else "directory", changed, changed, "test", 1),
            )
        )
    if services.db.is_postgres:
        _insert_portable(services, rows)
        return
    sql = f"INSERT INTO users ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    raw = services.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(sql, rows)
        cursor.execute("COMMIT")
    finally:
        raw.close()


def _insert_portable(services: Services, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    """The same rows through SQLAlchemy Core (PostgreSQL): typed values, one transaction."""
    from sqlalchemy import insert

    from mfa_console.core.db.models import UserRow

    stamps = {"created_at", "updated_at", "pin_changed_at"}
    values = [
        {
            c: datetime.fromisoformat(v) if c in stamps and isinstance(v, str) else v
            for c, v in zip(COLUMNS, row, strict=True)
        }
        for row in rows
    ]
    with services.db.engine.begin() as conn:
        conn.execute(insert(UserRow.__table__), values)
