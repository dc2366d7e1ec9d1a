"""Directory synchronization: items, managed members, runs, changes, pending approvals, state.

Revision ID: 0005_sync
Revises: 0006_mail
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_sync"
down_revision = "0006_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("dn", sa.Text(), nullable=False),
        sa.Column("nested", sa.Boolean(), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("add_new", sa.Boolean(), nullable=False),
        sa.Column("update_existing", sa.Boolean(), nullable=False),
        sa.Column("on_removed", sa.String(16), nullable=False),
        sa.Column("phone_attribute", sa.String(32), nullable=False),
        sa.Column("backup_phone_attribute", sa.String(32), nullable=False),
        sa.Column("enable_policy", sa.String(32), nullable=False),
        sa.Column("email_policy", sa.String(32), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
    )
    op.create_table(
        "sync_members",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_sync_members_user_id_users"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("disabled_by_sync", sa.Boolean(), nullable=False),
        sa.Column("source_digest", sa.BigInteger(), nullable=False),
        sa.Column("written_version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "added",
                "updated",
                "disabled",
                "removed",
                "unchanged",
                "pending_approval",
                "errors",
            )
        ],
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_sync_runs_started_at", "sync_runs", ["started_at"])
    op.create_table(
        "sync_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey(
                "sync_runs.id", ondelete="CASCADE", name="fk_sync_changes_run_id_sync_runs"
            ),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("directory_id", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_sync_changes_run_id", "sync_changes", ["run_id"])
    op.create_table(
        "sync_pending",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey(
                "sync_runs.id", ondelete="CASCADE", name="fk_sync_pending_run_id_sync_runs"
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_sync_pending_user_id_users"),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sync_pending_user_id", "sync_pending", ["user_id"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "sync_state",
        "sync_pending",
        "sync_changes",
        "sync_runs",
        "sync_members",
        "sync_items",
    ):
        op.drop_table(table)
