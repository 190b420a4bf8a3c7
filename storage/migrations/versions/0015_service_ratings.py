"""service ratings: a rating asked after an event someone came to, and «Не спрашивать больше» (#26)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "service_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", WHEN, nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", WHEN, nullable=True),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_service_ratings_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_ratings")),
        sa.UniqueConstraint(
            "kind", "service_id", "person_id", name=op.f("uq_service_ratings_kind")
        ),
    )
    with op.batch_alter_table("service_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_ratings_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_ratings_rated_at"), ["rated_at"], unique=False)

    op.create_table(
        "rating_refusals",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("refused_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_rating_refusals_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_rating_refusals")),
    )


def downgrade() -> None:
    op.drop_table("rating_refusals")
    with op.batch_alter_table("service_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_ratings_rated_at"))
        batch_op.drop_index(batch_op.f("ix_service_ratings_person_id"))
    op.drop_table("service_ratings")
