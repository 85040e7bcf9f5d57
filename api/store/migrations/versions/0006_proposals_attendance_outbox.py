"""Proposals, attendance, personal links and the outbox; history becomes what happened.

Publishing used to write each planned assignment into the dataset's history
as attended, before the day.  From this revision a published assignment is
a proposal its volunteer confirms or declines, attendance records what
happened, and the roster engine's history is read from attendance.  The
history rows publishing wrote are turned into proposals of their roster
(state ``proposed``, with an event saying they were published before
confirmations existed), so nothing is lost, and leave the history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
MIGRATED_NOTE = "published before confirmations existed: unconfirmed"


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=f"fk_{table}_{column}_{target}",
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("roster_id", sa.Integer, nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=True),
        sa.Column("need_id", sa.String(100), nullable=False),
        sa.Column("volunteer_id", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=True),
        sa.Column("start", sa.Integer, nullable=True),
        sa.Column("end", sa.Integer, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("replaces_id", sa.Integer, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _fk("proposals", "roster_id", "solve_jobs", "CASCADE"),
        _fk("proposals", "dataset_id", "datasets", "SET NULL"),
        _fk("proposals", "replaces_id", "proposals", "SET NULL"),
        sa.UniqueConstraint(
            "roster_id",
            "need_id",
            "volunteer_id",
            name="uq_proposals_roster_id_need_id_volunteer_id",
        ),
    )
    for column in ("roster_id", "dataset_id", "volunteer_id", "state"):
        op.create_index(f"ix_proposals_{column}", "proposals", [column])

    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("proposal_id", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("key_id", sa.Integer, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        _fk("proposal_events", "proposal_id", "proposals", "CASCADE"),
        _fk("proposal_events", "key_id", "api_keys"),
    )
    op.create_index("ix_proposal_events_proposal_id", "proposal_events", ["proposal_id"])

    op.create_table(
        "attendance_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("proposal_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actual_start", sa.Integer, nullable=True),
        sa.Column("actual_end", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.Integer, nullable=True),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("supersedes_id", sa.Integer, nullable=True),
        _fk("attendance_entries", "proposal_id", "proposals", "CASCADE"),
        _fk("attendance_entries", "recorded_by", "api_keys"),
        _fk("attendance_entries", "supersedes_id", "attendance_entries", "SET NULL"),
        sa.UniqueConstraint("supersedes_id", name="uq_attendance_entries_supersedes_id"),
    )
    op.create_index("ix_attendance_entries_proposal_id", "attendance_entries", ["proposal_id"])

    op.create_table(
        "personal_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sa.Column("volunteer_id", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        _fk("personal_links", "dataset_id", "datasets", "CASCADE"),
        _fk("personal_links", "created_by", "api_keys"),
        sa.UniqueConstraint("prefix", name="uq_personal_links_prefix"),
    )
    op.create_index("ix_personal_links_dataset_id", "personal_links", ["dataset_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=True),
        sa.Column("proposal_id", sa.Integer, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("lease_until", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        _fk("outbox", "dataset_id", "datasets", "SET NULL"),
        _fk("outbox", "proposal_id", "proposals", "SET NULL"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    for column in ("dataset_id", "state", "next_attempt_at"):
        op.create_index(f"ix_outbox_{column}", "outbox", [column])

    _history_into_proposals()


def _history_into_proposals() -> None:
    """Each history row publishing drafted becomes a proposal of its roster, then leaves.

    The row has the volunteer, need and date; the roster (when it has its
    rows) adds the role and times.
    """
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    items = bind.execute(
        sa.text(
            "SELECT i.roster_id, j.dataset_id, i.volunteer_id, i.need_id, i.data, j.roster "
            "FROM dataset_items AS i JOIN solve_jobs AS j ON j.id = i.roster_id "
            "WHERE i.kind = 'history' ORDER BY i.roster_id, i.position"
        )
    ).fetchall()
    proposals = sa.table(
        "proposals",
        *(
            sa.column(name)
            for name in (
                "roster_id", "dataset_id", "need_id", "volunteer_id", "role", "date",
                "start", "end", "state", "created_at", "updated_at",
            )
        ),
    )  # fmt: skip
    seen: set[tuple[int, str, str]] = set()
    for roster_id, dataset_id, volunteer_id, need_id, data, roster in items:
        entry = _json(data) or {}
        need = str(need_id or entry.get("need_id") or "")
        key = (roster_id, need, str(volunteer_id))
        if key in seen:
            continue
        seen.add(key)
        row = next(
            (
                r
                for r in _json(roster) or []
                if str(r.get("need_id")) == need and str(r.get("volunteer_id")) == key[2]
            ),
            {},
        )
        bind.execute(
            proposals.insert().values(
                roster_id=roster_id,
                dataset_id=dataset_id,
                need_id=need,
                volunteer_id=key[2],
                role=str(row.get("role") or "member"),
                date=_date(row.get("date") or entry.get("date")),
                start=_minutes(row.get("start")),
                end=_minutes(row.get("end")),
                state="proposed",
                created_at=now,
                updated_at=now,
            )
        )
    bind.execute(
        sa.text(
            "INSERT INTO proposal_events (proposal_id, state, actor, note, at) "
            "SELECT id, 'proposed', 'system', :note, :at FROM proposals"
        ),
        {"note": MIGRATED_NOTE, "at": now},
    )
    bind.execute(
        sa.text("DELETE FROM dataset_items WHERE kind = 'history' AND roster_id IS NOT NULL")
    )


def _json(value: object) -> Any:
    # SQLite hands JSON back as text, PostgreSQL as the value
    return json.loads(value) if isinstance(value, str) else value


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _minutes(value: object) -> int | None:
    text = str(value or "")
    if len(text) < 4 or ":" not in text:
        return None
    hours, _sep, minutes = text.partition(":")
    try:
        return int(hours) * 60 + int(minutes[:2])
    except ValueError:
        return None


def downgrade() -> None:
    for table in ("outbox", "personal_links", "attendance_entries", "proposal_events"):
        op.drop_table(table)
    op.drop_table("proposals")
