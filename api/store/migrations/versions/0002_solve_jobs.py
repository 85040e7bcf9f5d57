"""Solve jobs (input snapshot, progress, result, publication) and the roster of history rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "solve_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("problem", sa.JSON, nullable=False),
        sa.Column("progress", sa.JSON, nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("roster", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("published_by", sa.Integer, nullable=True),
        sa.Column("superseded_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_solve_jobs_dataset_id_datasets",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name="fk_solve_jobs_created_by_api_keys"
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["api_keys.id"], name="fk_solve_jobs_published_by_api_keys"
        ),
    )
    op.create_index("ix_solve_jobs_dataset_id", "solve_jobs", ["dataset_id"])
    op.create_index("ix_solve_jobs_status", "solve_jobs", ["status"])
    with op.batch_alter_table("dataset_items") as batch:
        batch.add_column(sa.Column("roster_id", sa.Integer, nullable=True))
        batch.create_index("ix_dataset_items_roster_id", ["roster_id"])


def downgrade() -> None:
    with op.batch_alter_table("dataset_items") as batch:
        batch.drop_index("ix_dataset_items_roster_id")
        batch.drop_column("roster_id")
    op.drop_table("solve_jobs")
