"""PostgreSQL: binary ("C") order for the users' text columns and a trigram index for search.

SQLite compares text byte by byte; PostgreSQL's default collation follows a language, which sorts
and ranges differently ("a-b" falls between "ab" and "ac"). The users' sorted and searched columns
take the "C" collation, so both engines give the same order and the one- and two-character prefix
search reads the same index ranges. The substring search of three characters and more, served on
SQLite by the FTS5 trigram table of 0003, is served here by a pg_trgm GIN index over one
lower-cased text of the searched fields (``users.query.SEARCH_TEXT_SQL``), lower-cased by the
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
SEARCH_TEXT_SQL = (
    "lower((username || ' ' || first_name || ' ' || last_name || ' ' || email || ' ' || "
    "coalesce(phone, '')) COLLATE \"default\")"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in C_COLUMNS.items():
        op.execute(f'ALTER TABLE users ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        f"CREATE INDEX ix_users_search_trgm ON users USING gin (({SEARCH_TEXT_SQL}) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_users_search_trgm")
    for column, length in C_COLUMNS.items():
        op.execute(f"ALTER TABLE users ALTER COLUMN {column} TYPE varchar({length})")
