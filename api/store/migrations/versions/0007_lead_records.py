"""Attendance entries say which team lead recorded them through their personal link.

A team lead marks arrivals on the day from the page their personal link
opens, with no API key: the entry names the lead's volunteer id instead of
a key, so the record still says who wrote it.  Earlier entries were all
written with a key (or by an import) and keep none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance_entries") as batch:
        batch.add_column(sa.Column("recorded_by_volunteer", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendance_entries") as batch:
        batch.drop_column("recorded_by_volunteer")
