"""The data file: engine and pragmas, typed models, Alembic migrations applied on open."""

from mfa_console.core.db.engine import Database, open_database, resolve_url

__all__ = ["Database", "open_database", "resolve_url"]
