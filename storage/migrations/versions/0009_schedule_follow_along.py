"""A team may follow along: each check-in as a reply in one thread per round (off unless set).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 00:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(sa.Column("follow_along", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("follow_along")
