"""A team's weekend: the days of the week nobody in it is messaged ("sat,sun" unless set).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(sa.Column("weekend", sa.String(length=40), nullable=False,
                                   server_default="sat,sun"))


def downgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("weekend")
