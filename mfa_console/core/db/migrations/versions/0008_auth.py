"""Second factor: sealed secrets, OATH tokens and their state, lockout state, authentication log.

Revision ID: 0008_auth
Revises: 0005_sync
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_auth"
down_revision = "0007_postgresql"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_secrets",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "oath_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("serial", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_oath_tokens_user_id_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("seed_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("manufacturer", sa.String(128), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("user_id", "state", name="uq_oath_tokens_user_state"),
    )
    op.create_index("ix_oath_tokens_user_id", "oath_tokens", ["user_id"])
    op.create_table(
        "oath_token_state",
        sa.Column(
            "token_id",
            sa.String(32),
            sa.ForeignKey(
                "oath_tokens.id",
                name="fk_oath_token_state_token_id_oath_tokens",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("drift", sa.Integer(), nullable=False),
    )
    op.create_table(
        "auth_user_state",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_auth_user_state_user_id_users", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("denials", sa.Integer(), nullable=False),
        sa.Column("counter_started_at", sa.DateTime(), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_auth_user_state_locked_until", "auth_user_state", ["locked_until"])
    op.create_table(
        "auth_log",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("username_key", sa.String(256), nullable=False),
        sa.Column("first_name", sa.String(128), nullable=False),
        sa.Column("last_name", sa.String(128), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("result", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("server_name", sa.String(255), nullable=False),
        sa.Column("server_ip", sa.String(64), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("application", sa.String(128), nullable=False),
    )
    op.create_index("ix_auth_log_at_id", "auth_log", ["at", "id"])
    op.create_index("ix_auth_log_user_at_id", "auth_log", ["username_key", "at", "id"])
    op.create_index("ix_auth_log_result_at_id", "auth_log", ["result", "at", "id"])


def downgrade() -> None:
    op.drop_table("auth_log")
    op.drop_table("auth_user_state")
    op.drop_table("oath_token_state")
    op.drop_table("oath_tokens")
    op.drop_table("sealed_secrets")
