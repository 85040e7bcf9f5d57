"""One plan of record per dataset: a partial unique index on published rosters.

Two publishes at the same moment must not both leave their roster as plan of
record; the publish route serialises them, and this index is the database's
own guarantee on SQLite and PostgreSQL alike.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PLAN_OF_RECORD = sa.text("published_at IS NOT NULL AND superseded_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "uq_solve_jobs_plan_of_record",
        "solve_jobs",
        ["dataset_id"],
        unique=True,
        sqlite_where=PLAN_OF_RECORD,
        postgresql_where=PLAN_OF_RECORD,
    )


def downgrade() -> None:
    op.drop_index("uq_solve_jobs_plan_of_record", table_name="solve_jobs")
