"""Pairing runs: one-to-one households paired as a job (issue 12).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pairing_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("problem", sa.JSON, nullable=False),
        sa.Column("previous", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("files", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("language", sa.String(8), nullable=False, server_default="zh"),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_pairing_runs_dataset_id_datasets",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name="fk_pairing_runs_created_by_api_keys"
        ),
    )
    op.create_index("ix_pairing_runs_dataset_id", "pairing_runs", ["dataset_id"])
    op.create_index("ix_pairing_runs_status", "pairing_runs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_pairing_runs_status", table_name="pairing_runs")
    op.drop_index("ix_pairing_runs_dataset_id", table_name="pairing_runs")
    op.drop_table("pairing_runs")
