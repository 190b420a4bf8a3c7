"""privacy: rows about a person that someone else acted on (for /forget)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("activities", "outbox")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("about_person_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_about_person_id"), ["about_person_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_about_person_id_people"),
                "people",
                ["about_person_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_about_person_id_people"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_about_person_id"))
            batch_op.drop_column("about_person_id")
