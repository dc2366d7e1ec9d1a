"""Alembic revisions of the data file (run from code by ``mfa_console.core.db.migrate``)."""
