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
    # The race this index closes may already have left two current plans of record for
    # one dataset; the newest published stays, the others are superseded as of then.
    op.execute(
        sa.text(
            """
            UPDATE solve_jobs SET superseded_at = (
                SELECT MAX(newer.published_at) FROM solve_jobs AS newer
                WHERE newer.dataset_id = solve_jobs.dataset_id
                  AND newer.published_at IS NOT NULL AND newer.superseded_at IS NULL
            )
            WHERE published_at IS NOT NULL AND superseded_at IS NULL
              AND dataset_id IS NOT NULL
              AND EXISTS (
                SELECT 1 FROM solve_jobs AS other
                WHERE other.dataset_id = solve_jobs.dataset_id
                  AND other.published_at IS NOT NULL AND other.superseded_at IS NULL
                  AND (other.published_at > solve_jobs.published_at
                       OR (other.published_at = solve_jobs.published_at
                           AND other.id > solve_jobs.id))
              )
            """
        )
    )
    # and, as publishing does, the history they wrote leaves with them
    op.execute(
        sa.text(
            "DELETE FROM dataset_items WHERE roster_id IN "
            "(SELECT id FROM solve_jobs WHERE superseded_at IS NOT NULL)"
        )
    )
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
