"""Each solve job records the language its explanations are written in.

The solve runs in a worker process that knows nothing of the request that
started it; the job row carries the request's language there.  Jobs made
before this revision wrote English, so they are marked ``en``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solve_jobs") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="zh"))
    op.execute(sa.text("UPDATE solve_jobs SET language = 'en'"))


def downgrade() -> None:
    with op.batch_alter_table("solve_jobs") as batch:
        batch.drop_column("language")
