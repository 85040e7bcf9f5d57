"""A solve job may be kept close to a reference roster (the plan of record, or a repaired one).

``reference`` holds ``{"roster_id": 5, "fresh": false}`` (and for a repair
the volunteers who cancelled): the job's solve keeps that roster's
assignments where coverage allows, or with ``fresh`` only compares with it.
Earlier jobs had none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solve_jobs") as batch:
        batch.add_column(sa.Column("reference", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solve_jobs") as batch:
        batch.drop_column("reference")
