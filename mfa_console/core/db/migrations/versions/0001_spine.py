"""The spine: meta, settings, users, audit.

Revision ID: 0001_spine
Revises:
Create Date: 2026-11-25
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001_spine"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.bulk_insert(
        meta,
        [
            {"key": "install_id", "value": str(uuid.uuid4())},
        ],
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("username_key", sa.String(256), nullable=False),
        sa.Column("first_name", sa.String(128), nullable=False),
        sa.Column("last_name", sa.String(128), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("user_group", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("extension", sa.String(32), nullable=False),
        sa.Column("backup_phone", sa.String(32), nullable=True),
        sa.Column("backup_extension", sa.String(32), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("pin_hash", sa.String(256), nullable=True),
        sa.Column("pin_change_required", sa.Boolean(), nullable=False),
        sa.Column("pin_changed_at", sa.DateTime(), nullable=True),
        sa.Column("pin_history", sa.Text(), nullable=False),
        sa.Column("language_phone_call", sa.String(16), nullable=False),
        sa.Column("language_text_message", sa.String(16), nullable=False),
        sa.Column("language_mobile_app", sa.String(16), nullable=False),
        sa.Column("language_oath_token", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("directory_id", sa.String(64), nullable=True),
        sa.Column("dn", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("username_key", name="uq_users_username_key"),
        sa.UniqueConstraint("directory_id", name="uq_users_directory_id"),
    )
    op.create_index("ix_users_updated_at", "users", ["updated_at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(256), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_action", "audit", ["action"])


def downgrade() -> None:
    for table in ("audit", "users", "settings", "meta"):
        op.drop_table(table)
