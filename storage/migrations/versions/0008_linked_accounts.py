"""linked messenger accounts: one person in VK and Telegram

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=64), nullable=False),
        sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_accounts_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_accounts")),
        sa.UniqueConstraint(
            "platform",
            "platform_user_id",
            name=op.f("uq_person_accounts_platform"),
        ),
    )
    with op.batch_alter_table("person_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_accounts_person_id"), ["person_id"], unique=False
        )
    op.create_table(
        "account_link_codes",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_account_link_codes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_account_link_codes")),
    )
    with op.batch_alter_table("account_link_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_link_codes_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_link_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_codes_person_id"))
    op.drop_table("account_link_codes")
    with op.batch_alter_table("person_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_accounts_person_id"))
    op.drop_table("person_accounts")
