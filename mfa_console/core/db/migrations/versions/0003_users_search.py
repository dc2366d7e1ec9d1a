"""Users search and sort: an index per sortable column and an FTS5 trigram index.

Each sortable column is indexed together with ``username_key`` (the tie-breaker of every sort), so
the first and the last page of any sort are read from an index; ``username_key`` (unique already)
serves the username sort and the prefix search of one- and two-character texts. On SQLite with
FTS5 trigram (3.34+), an external-content full-text table kept up to date by triggers serves the
substring search of three or more characters; other databases search with LIKE.

Revision ID: 0003_users_search
Revises: 0002_leases
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003_users_search"
down_revision = "0002_leases"
branch_labels = None
depends_on = None

SORT_INDEXES = {
    "ix_users_sort_enabled": "enabled",
    "ix_users_sort_method": "method",
    "ix_users_sort_phone": "phone",
    "ix_users_sort_email": "email",
    "ix_users_sort_user_group": "user_group",
    "ix_users_sort_source": "source",
    "ix_users_sort_updated_at": "updated_at",
}
FTS_COLUMNS = ("username", "first_name", "last_name", "email", "phone")


def upgrade() -> None:
    for name, column in SORT_INDEXES.items():
        op.create_index(name, "users", [column, "username_key"])
    if op.get_bind().dialect.name == "sqlite" and _has_trigram():
        _create_fts()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("users_fts_ai", "users_fts_ad", "users_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS users_fts")
    for name in SORT_INDEXES:
        op.drop_index(name, "users")


def _has_trigram() -> bool:
    import sqlite3

    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(a, tokenize='trigram')")
    except sqlite3.DatabaseError:
        return False
    finally:
        probe.close()
    return True


def _create_fts() -> None:
    columns = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE users_fts USING fts5({columns}, content='users', "
        "content_rowid='id', tokenize='trigram case_sensitive 0')"
    )
    op.execute(
        "CREATE TRIGGER users_fts_ai AFTER INSERT ON users BEGIN "
        f"INSERT INTO users_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER users_fts_ad AFTER DELETE ON users BEGIN "
        f"INSERT INTO users_fts(users_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER users_fts_au AFTER UPDATE OF {columns} ON users BEGIN "
        f"INSERT INTO users_fts(users_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO users_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO users_fts(users_fts) VALUES ('rebuild')")
