"""work records: the resource centre's offline work and every change to it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("content", sa.String(length=1000), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("customer", sa.String(length=300), nullable=False),
        sa.Column("executor", sa.String(length=200), nullable=False),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_work_records_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_work_records_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_records")),
    )
    with op.batch_alter_table("work_records", schema=None) as batch_op:
        batch_op.create_index("ix_work_records_done_at", ["done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_records_author_id"), ["author_id"], unique=False)

    op.create_table(
        "work_record_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=True),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["people.id"],
            name=op.f("fk_work_record_changes_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["work_records.id"],
            name=op.f("fk_work_record_changes_record_id_work_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_record_changes")),
    )
    with op.batch_alter_table("work_record_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_work_record_changes_record_id"), ["record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_record_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_record_changes_record_id"))
    op.drop_table("work_record_changes")
    with op.batch_alter_table("work_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_records_author_id"))
        batch_op.drop_index("ix_work_records_done_at")
    op.drop_table("work_records")
