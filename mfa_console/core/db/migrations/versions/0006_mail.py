"""Mail: edited email templates and the persistent outbox.

Revision ID: 0006_mail
Revises: 0003_users_search
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_mail"
down_revision = "0003_users_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_templates",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("from_address", sa.String(400), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", name="fk_mail_outbox_user_id_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("message_id", name="uq_mail_outbox_message_id"),
    )
    op.create_index("ix_mail_outbox_state_due", "mail_outbox", ["state", "next_attempt_at"])
    op.create_index("ix_mail_outbox_user_id", "mail_outbox", ["user_id"])
    op.create_table(
        "mail_outbox_bodies",
        sa.Column(
            "outbox_id",
            sa.Integer(),
            sa.ForeignKey(
                "mail_outbox.id",
                name="fk_mail_outbox_bodies_outbox_id_mail_outbox",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mail_outbox_bodies")
    op.drop_index("ix_mail_outbox_user_id", "mail_outbox")
    op.drop_index("ix_mail_outbox_state_due", "mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("mail_templates")
