"""PostgreSQL: binary ("C") order for the users' text columns, and a trigram search table.

SQLite compares text byte by byte; PostgreSQL's default collation follows a language, which sorts
and ranges differently ("a-b" falls between "ab" and "ac"). The users' sorted and searched columns
take the "C" collation, so both engines give the same order and the one- and two-character prefix
search reads the same index ranges.

The substring search of three characters and more, served on SQLite by the FTS5 trigram table of
0003, is served here by ``users_search``: one narrow row per user (its id and one lower-cased text
of the searched fields, ``users.query.SEARCH_TEXT_SQL``), kept by triggers, with a pg_trgm GIN
index. A narrow table, not an index over ``users`` itself: counting 50,000 matches rechecks each
matching row, and reading narrow rows costs a quarter of reading whole users. Lower-casing uses the
database's own collation (the "C" one would fold ASCII letters only). On SQLite this revision does
nothing.

Revision ID: 0007_postgresql
Revises: 0005_sync
Create Date: 2026-11-29
"""

from alembic import op

revision = "0007_postgresql"
down_revision = "0005_sync"
branch_labels = None
depends_on = None

C_COLUMNS = {
    "username": 256,
    "username_key": 256,
    "first_name": 128,
    "last_name": 128,
    "email": 320,
    "user_group": 128,
    "phone": 32,
    "method": 32,
    "source": 16,
}
# Keep in step with mfa_console.core.users.query.SEARCH_TEXT_SQL (a test checks they agree).


def _search_text(row: str = "") -> str:
    fields = " || ' ' || ".join(
        f"{row}{name}" for name in ("username", "first_name", "last_name", "email")
    )
    return f"lower(({fields} || ' ' || coalesce({row}phone, '')) COLLATE \"default\")"


SEARCH_TEXT_SQL = _search_text()


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in C_COLUMNS.items():
        op.execute(f'ALTER TABLE users ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE TABLE users_search (id integer PRIMARY KEY REFERENCES users (id) ON DELETE "
        "CASCADE, text text NOT NULL)"
    )
    # Statement-level triggers over transition tables: one INSERT ... SELECT per statement, not
    # one function call per row (a sync inserts thousands of users per statement).
    keep = (
        f"INSERT INTO users_search (id, text) SELECT id, {_search_text()} FROM changed "
        "ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text "
        "WHERE users_search.text IS DISTINCT FROM EXCLUDED.text; RETURN NULL;"
    )
    op.execute(
        "CREATE FUNCTION users_search_sync() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {keep} END $$"
    )
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER users_search_{event.lower()} AFTER {event} ON users "
            "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
            "EXECUTE FUNCTION users_search_sync()"
        )
    op.execute(f"INSERT INTO users_search (id, text) SELECT id, {SEARCH_TEXT_SQL} FROM users")
    op.execute("CREATE INDEX ix_users_search_text ON users_search USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS users_search_insert ON users")
    op.execute("DROP TRIGGER IF EXISTS users_search_update ON users")
    op.execute("DROP FUNCTION IF EXISTS users_search_sync()")
    op.execute("DROP TABLE IF EXISTS users_search")
    for column, length in C_COLUMNS.items():
        op.execute(f"ALTER TABLE users ALTER COLUMN {column} TYPE varchar({length})")
