"""Where `okr-bot shell` left off: its clock and who was typing (the shell's own database).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:46:05.990919
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shell_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shell_state")),
    )


def downgrade() -> None:
    op.drop_table("shell_state")
