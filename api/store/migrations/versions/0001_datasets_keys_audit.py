"""Datasets with their rows, API keys and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("key_id", sa.Integer, nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], name="fk_audit_log_key_id_api_keys"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_key_id", "audit_log", ["key_id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target"])

    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("horizon", sa.JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name="fk_datasets_created_by_api_keys"
        ),
    )

    def dataset_columns(table: str) -> list[sa.SchemaItem]:
        return [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("dataset_id", sa.Integer, nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.ForeignKeyConstraint(
                ["dataset_id"],
                ["datasets.id"],
                name=f"fk_{table}_dataset_id_datasets",
                ondelete="CASCADE",
            ),
        ]

    op.create_table(
        "volunteers",
        *dataset_columns("volunteers"),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("skills", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("dataset_id", "entity_id", name="uq_volunteers_dataset_id_entity_id"),
    )
    op.create_index("ix_volunteers_dataset_id", "volunteers", ["dataset_id"])
    op.create_index("ix_volunteers_department", "volunteers", ["department"])

    op.create_table(
        "households",
        *dataset_columns("households"),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("dataset_id", "entity_id", name="uq_households_dataset_id_entity_id"),
    )
    op.create_index("ix_households_dataset_id", "households", ["dataset_id"])
    op.create_index("ix_households_category", "households", ["category"])

    op.create_table(
        "needs",
        *dataset_columns("needs"),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("date", sa.Date, nullable=True),
        sa.Column("household_id", sa.String(100), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("dataset_id", "entity_id", name="uq_needs_dataset_id_entity_id"),
    )
    op.create_index("ix_needs_dataset_id", "needs", ["dataset_id"])
    op.create_index("ix_needs_category", "needs", ["category"])
    op.create_index("ix_needs_date", "needs", ["date"])

    op.create_table(
        "dataset_items",
        *dataset_columns("dataset_items"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("volunteer_id", sa.String(100), nullable=True),
        sa.Column("household_id", sa.String(100), nullable=True),
        sa.Column("need_id", sa.String(100), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_dataset_items_dataset_kind", "dataset_items", ["dataset_id", "kind", "position"]
    )


def downgrade() -> None:
    for table in ("dataset_items", "needs", "households", "volunteers", "datasets"):
        op.drop_table(table)
    op.drop_table("audit_log")
    op.drop_table("api_keys")
