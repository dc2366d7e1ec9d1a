"""RADIUS server: clients, upstream targets, the service's listening status.

Revision ID: 0009_radius
Revises: 0005_sync
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_radius"
down_revision = "0008_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "radius_clients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("require_user_match", sa.Boolean(), nullable=False),
        sa.Column("fallback_oath", sa.Boolean(), nullable=False),
        sa.Column("append_code", sa.Boolean(), nullable=False),
        sa.Column("message_authenticator", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "radius_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("auth_port", sa.Integer(), nullable=False),
        sa.Column("acct_port", sa.Integer(), nullable=False),
        sa.Column("timeout", sa.Integer(), nullable=False),
    )
    op.create_table(
        "radius_status",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("listening", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("radius_status")
    op.drop_table("radius_targets")
    op.drop_table("radius_clients")
