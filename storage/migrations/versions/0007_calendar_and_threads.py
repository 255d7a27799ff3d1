"""A person's own working hours, region and holidays; outbox rows posted in another's thread.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:41:20.817089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_holiday")),
        sa.UniqueConstraint("region", "day", name=op.f("uq_region_holiday_region_day")),
    )
    op.create_table(
        "person_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_holiday_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_holiday")),
        sa.UniqueConstraint("person_id", "day", name=op.f("uq_person_holiday_person_id_day")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_delivery_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_parent_id_delivery"), "delivery", ["parent_id"], ["id"]
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("work_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("region")
        batch_op.drop_column("work_end")
        batch_op.drop_column("work_start")

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_delivery_parent_id_delivery"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_delivery_parent_id"))
        batch_op.drop_column("parent_id")

    op.drop_table("person_holiday")
    op.drop_table("region_holiday")
