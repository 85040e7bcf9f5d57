"""Residents' requests and micro-wishes: 点单 -> 派单 -> 接单 -> 评单.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "resident_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("household_id", sa.String(100), nullable=True),
        sa.Column("requester", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("wanted_date", sa.Date, nullable=True),
        sa.Column("wanted_start", sa.Integer, nullable=True),
        sa.Column("wanted_end", sa.Integer, nullable=True),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("volunteers", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("review_note", sa.Text, nullable=False),
        sa.Column("need_id", sa.String(100), nullable=True),
        sa.Column("dispatches", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("feedback", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_resident_requests_dataset_id_datasets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name="fk_resident_requests_created_by_api_keys"
        ),
    )
    op.create_index("ix_resident_requests_dataset_id", "resident_requests", ["dataset_id"])
    op.create_index("ix_resident_requests_state", "resident_requests", ["state"])


def downgrade() -> None:
    op.drop_table("resident_requests")
