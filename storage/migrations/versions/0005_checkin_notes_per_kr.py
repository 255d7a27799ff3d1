"""Check-in notes per Key Result (notes written once per Objective are marked as such), and
the named helper's answer to a help request.

Until now the check-in form asked progress, blockers and help once per Objective and stored
them on the Objective's first KR. From now on every KR has its own. The old notes stay where
they are (nothing is lost) and `checkin.about_objective` says they were about the whole
Objective, so displays do not present them as about its first KR alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkin") as batch:
        batch.add_column(
            sa.Column("about_objective", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("help_answer", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("help_answered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_check_constraint(
            op.f("ck_checkin_help_answer"),
            "help_answer IS NULL OR help_answer IN ('can_help', 'not_now')",
        )
    op.execute(
        "UPDATE checkin SET about_objective = TRUE "
        "WHERE source IN ('slack', 'shell') "
        "AND (progress <> '' OR blockers <> '' OR help_needed <> '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("checkin") as batch:
        batch.drop_constraint(op.f("ck_checkin_help_answer"), type_="check")
        batch.drop_column("help_answered_at")
        batch.drop_column("help_answer")
        batch.drop_column("about_objective")
