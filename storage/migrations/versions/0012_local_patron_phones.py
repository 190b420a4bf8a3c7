"""local patrons' phone numbers, for linking a ticket by phone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("local_patrons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phones", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("local_patrons", schema=None) as batch_op:
        batch_op.drop_column("phones")
