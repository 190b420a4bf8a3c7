"""reader holds: «Забронировать» remembered per reader and record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reader_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("branch_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("system_ref", sa.String(length=64), nullable=True),
        sa.Column("pickup_until", sa.Date(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reader_holds_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["catalogue_records.id"],
            name=op.f("fk_reader_holds_record_id_catalogue_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reader_holds")),
        sa.UniqueConstraint("person_id", "record_id", name=op.f("uq_reader_holds_person_id")),
    )
    with op.batch_alter_table("reader_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reader_holds_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reader_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reader_holds_record_id"))
    op.drop_table("reader_holds")
