"""End-of-cycle reviews (per KR and per Objective) and Objectives carried into the next cycle.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 02:05:39.206496
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carried_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_objective_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("draft_objective_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_carried_objective_cycle_id_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["draft_objective_id"],
            ["objective.id"],
            name=op.f("fk_carried_objective_draft_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["source_objective_id"],
            ["objective.id"],
            name=op.f("fk_carried_objective_source_objective_id_objective"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carried_objective")),
        sa.UniqueConstraint(
            "draft_objective_id", name=op.f("uq_carried_objective_draft_objective_id")
        ),
        sa.UniqueConstraint(
            "source_objective_id",
            "cycle_id",
            name=op.f("uq_carried_objective_source_objective_id_cycle_id"),
        ),
    )
    op.create_table(
        "objective_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("what_worked", sa.Text(), nullable=False),
        sa.Column("keep", sa.Text(), nullable=False),
        sa.Column("avoid", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_objective_review_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["person.id"], name=op.f("fk_objective_review_reviewer_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_review")),
        sa.UniqueConstraint("objective_id", name=op.f("uq_objective_review_objective_id")),
    )
    op.create_table(
        "kr_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("final_score", sa.Float(), nullable=False),
        sa.Column("cause_kind", sa.String(length=16), nullable=True),
        sa.Column("cause_note", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cause_kind IS NULL OR cause_kind IN ('objective', 'subjective')",
            name=op.f("ck_kr_review_cause"),
        ),
        sa.CheckConstraint(
            "final_score >= 0 AND final_score <= 1", name=op.f("ck_kr_review_score")
        ),
        sa.ForeignKeyConstraint(
            ["key_result_id"], ["key_result.id"], name=op.f("fk_kr_review_key_result_id_key_result")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["person.id"], name=op.f("fk_kr_review_reviewer_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kr_review")),
        sa.UniqueConstraint("key_result_id", name=op.f("uq_kr_review_key_result_id")),
    )


def downgrade() -> None:
    op.drop_table("kr_review")
    op.drop_table("objective_review")
    op.drop_table("carried_objective")
