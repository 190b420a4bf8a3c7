"""grants calendar: contests, topic subscriptions, applications and their outcomes (#27)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grant_contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("opens_at", WHEN, nullable=True),
        sa.Column("deadline", WHEN, nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("results_at", WHEN, nullable=True),
        sa.Column("amount_min", sa.BigInteger(), nullable=True),
        sa.Column("amount_max", sa.BigInteger(), nullable=True),
        sa.Column("eligible", sa.String(length=500), nullable=False),
        sa.Column("tags", sa.String(length=300), nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_contests")),
    )
    with op.batch_alter_table("grant_contests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_contests_deadline"), ["deadline"], unique=False)

    op.create_table(
        "grant_subscriptions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_grant_subscriptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "tag", name=op.f("pk_grant_subscriptions")),
    )

    op.create_table(
        "grant_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("with_help", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested", sa.BigInteger(), nullable=True),
        sa.Column("granted", sa.BigInteger(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", WHEN, nullable=False),
        sa.Column("submitted_at", WHEN, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["grant_contests.id"],
            name=op.f("fk_grant_applications_contest_id_grant_contests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_grant_applications_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_grant_applications_request_id_consultation_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_applications")),
        sa.UniqueConstraint(
            "contest_id", "person_id", name=op.f("uq_grant_applications_contest_id")
        ),
    )
    with op.batch_alter_table("grant_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grant_applications_contest_id"), ["contest_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_grant_applications_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("grant_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_applications_person_id"))
        batch_op.drop_index(batch_op.f("ix_grant_applications_contest_id"))
    op.drop_table("grant_applications")
    op.drop_table("grant_subscriptions")
    with op.batch_alter_table("grant_contests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_contests_deadline"))
    op.drop_table("grant_contests")
