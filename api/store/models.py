"""Tables of the service (SQLAlchemy 2 typed ORM).

A dataset keeps every row of the uploaded :class:`~matcher.domain.Problem`:
volunteers, households and needs each get a table with the columns that
filters use, other rows (departments, skills, availability, blackouts, pairs,
pins, history, travel) share :class:`DatasetItem`.  Every row also holds the
whole entity as JSON (:mod:`api.store.serialize`), so the Problem is rebuilt
exactly, in its original order (``position``).

The schema is created by the Alembic migrations in ``migrations/``, never by
``create_all``; a test checks that the two agree.  Over 500 lines on purpose:
every table stays in this one module, so the metadata that test compares is
always complete.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from matcher.i18n import language


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A time stamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones and returns naive datetimes; PostgreSQL returns
    aware ones.  Reading both as aware UTC means every answer carries an
    explicit offset, whichever database is behind the service.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)  # naive values are UTC by this module's rule
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are fixed so migrations can name them."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        dt.datetime: UtcDateTime(),
    }


class KeyRole(StrEnum):
    """What an API key may do: viewers read, coordinators also write, admins everything."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"


class ApiKey(Base):
    """An API key, stored as the SHA-256 of the key; ``prefix`` finds it."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    """One write: who (key), when, what (action) and on what (target)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Dataset(Base):
    """A named upload; ``horizon`` is the serialised :class:`~matcher.domain.Horizon`."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    horizon: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))


class _EntityColumns:
    """Columns every stored volunteer, household and need has.

    ``position`` keeps the upload order; ``data`` holds the whole entity as
    JSON (the other columns are copies for filtering).
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(String(100))


class VolunteerRecord(_EntityColumns, Base):
    """A volunteer of a dataset; ``skills`` is ``;name;name;`` for filtering."""

    __tablename__ = "volunteers"
    __table_args__ = (UniqueConstraint("dataset_id", "entity_id"),)

    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(200), index=True)
    skills: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column()


class HouseholdRecord(_EntityColumns, Base):
    """A household of a dataset."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("dataset_id", "entity_id"),)

    category: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[dict[str, Any]] = mapped_column()


class NeedRecord(_EntityColumns, Base):
    """A need of a dataset."""

    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("dataset_id", "entity_id"),)

    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(40), index=True)
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    household_id: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column()


class DatasetItem(Base):
    """Any other row of a dataset; ``kind`` names the Problem field it belongs to.

    The reference columns let a delete find what points at a volunteer,
    household or need.
    """

    __tablename__ = "dataset_items"
    __table_args__ = (Index("ix_dataset_items_dataset_kind", "dataset_id", "kind", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    volunteer_id: Mapped[str | None] = mapped_column(String(100))
    household_id: Mapped[str | None] = mapped_column(String(100))
    need_id: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column()
    roster_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    """The published roster (solve job) a history row came from; NULL for uploaded rows."""


class JobStatus(StrEnum):
    """Where a solve job is: queued, running (stopping once asked to), then one of the ends."""

    QUEUED = "queued"
    RUNNING = "running"
    STOPPING = "stopping"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.STOPPING)
"""Statuses of a job that has not ended; none survive a restart."""


class SolveJob(Base):
    """One solve: its input snapshot, parameters, progress, result and publication.

    ``problem`` is the dataset as it was when the job was made (the JSON of
    the :class:`~matcher.domain.Problem`), so the roster can be reproduced
    after the dataset changes or is deleted (``dataset_id`` is then NULL).
    ``roster`` holds the assignments as the rows of ``roster.csv``
    (:func:`matcher.export.roster_frame`); ``summary`` is
    :func:`matcher.export.summary`, written in ``language`` (``zh`` or ``en``).
    """

    __tablename__ = "solve_jobs"
    __table_args__ = (
        # one plan of record per dataset: published and not superseded (see store/publishing.py)
        Index(
            "uq_solve_jobs_plan_of_record",
            "dataset_id",
            unique=True,
            sqlite_where=text("published_at IS NOT NULL AND superseded_at IS NULL"),
            postgresql_where=text("published_at IS NOT NULL AND superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    params: Mapped[dict[str, Any]] = mapped_column()
    problem: Mapped[dict[str, Any]] = mapped_column()
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    roster: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    """When a later published roster of the same dataset replaced this one as plan of record."""
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The roster this one is kept close to: ``{"roster_id", "fresh", "cancelled"}`` (None: none).

    A re-solve of a dataset with a plan of record for overlapping dates
    keeps that plan as the reference unless asked for a fresh plan; a repair
    names the roster it repaired and who cancelled (:mod:`matcher.repair`).
    """
    # The language its explanations and messages are written in: the request's that made
    # it (the default is read at insert, inside the request), since the solve runs in
    # another process that knows nothing of the request.
    language: Mapped[str] = mapped_column(
        String(8), default=lambda: language(), server_default="zh"
    )


class _TokenLinkColumns:
    """Columns of a link whose token is in its URL: one volunteer of one dataset, hashed.

    The token is ``<scheme>_<prefix>_<secret>``: ``prefix`` finds the row,
    ``token_hash`` proves the secret; ``revoked_at`` closes it.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class CalendarLink(_TokenLinkColumns, Base):
    """A subscribable link to one volunteer's calendar, stored like an API key (hashed).

    Phone calendars cannot send headers, so the link carries its own token in
    the URL; the token opens that one calendar and nothing else, and revoking
    it (or deleting the dataset) closes it.
    """

    __tablename__ = "calendar_links"


class ProposalState(StrEnum):
    """Where one published assignment stands with its volunteer.

    Serving is voluntary (志愿服务条例, article 25): a published roster is a
    proposal each volunteer confirms or declines.  ``replaced``: declined (or
    withdrawn) and given to someone else; ``cancelled``: the plan of record
    changed and the assignment is no longer in it.
    """

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    REPLACED = "replaced"
    CANCELLED = "cancelled"


class Proposal(Base):
    """One assignment of a published roster, as offered to its volunteer.

    A copy of the assignment (need, volunteer, role, date and times) is kept,
    so the proposal reads the same after the dataset changes.  ``state`` is
    the latest of its :class:`ProposalEvent` entries, kept here to be queried;
    ``replaces_id`` names the declined proposal this one took over.
    """

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("roster_id", "need_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roster_id: Mapped[int] = mapped_column(
        ForeignKey("solve_jobs.id", ondelete="CASCADE"), index=True
    )
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    need_id: Mapped[str] = mapped_column(String(100))
    volunteer_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date | None] = mapped_column(default=None)
    start: Mapped[int | None] = mapped_column(default=None)
    """Minutes after midnight, as the roster has them (None for a need done at any time)."""
    end: Mapped[int | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String(16), index=True)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProposalEvent(Base):
    """One change of a proposal's state, with who and when: append-only.

    ``actor`` is ``volunteer`` (through their personal link), ``coordinator``
    (an API key, in ``key_id``, recording it for them) or ``system``
    (publishing, a new plan of record, the migration).
    """

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AttendanceEntry(Base):
    """What happened for one proposal on the day: append-only.

    Service records must be true, accurate, complete and timely (志愿服务记录
    与证明出具办法): a correction is a new entry naming the one it supersedes
    (``supersedes_id``, each entry superseded at most once), with who, when and
    why; the current record of a proposal is its entry that nothing supersedes.
    ``status`` is a :class:`matcher.attendance.AttendanceStatus` value;
    ``actual_start``/``actual_end`` are minutes after midnight of the
    proposal's date; ``source`` is ``api``, ``page``, ``import`` or ``lead``
    (a team lead on the day, through their personal link: ``recorded_by`` is
    then empty and ``recorded_by_volunteer`` names the lead).
    """

    __tablename__ = "attendance_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    actual_start: Mapped[int | None] = mapped_column(default=None)
    actual_end: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="api")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    recorded_by_volunteer: Mapped[str | None] = mapped_column(String(100), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance_entries.id", ondelete="SET NULL"), unique=True, default=None
    )


class PersonalLink(_TokenLinkColumns, Base):
    """A volunteer's personal link: their assignments, to confirm or decline; hashed.

    Like a calendar link, the token is in the URL (a phone opens it from a
    message, with no API key) and opens one volunteer's own proposals of one
    dataset, nothing else; revoking it closes it.
    """

    __tablename__ = "personal_links"


class OutboxState(StrEnum):
    """A message's way out: pending (due at ``next_attempt_at``), sending (leased), sent, failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One message to send, once: the proposal, a reminder, a change notice.

    ``key`` makes writing it idempotent (``proposal:12``, ``reminder:12:2026-09-19``):
    a second write of the same key adds nothing.  A sender takes a pending row
    by setting it ``sending`` with ``lease_until``; a row whose lease ran out
    (the sender died) is taken again.  ``attempts`` and ``next_attempt_at``
    carry the back-off; after the last attempt the row is ``failed`` with
    ``last_error``.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True, default=None
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = mapped_column(String(16), index=True, default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class RequestState(StrEnum):
    """Where a resident's request stands: 点单 -> 派单 -> 接单 -> 评单.

    ``submitted`` (点单: entered for a resident), ``accepted`` or ``rejected``
    (reviewed), ``dispatched`` (派单: a need of a dataset; may be dispatched
    again), ``closed`` (评单: served and rated).  Taken (接单) and served are
    read from the proposals and attendance of the need, not stored.
    """

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    CLOSED = "closed"


class ResidentRequest(Base):
    """A resident's request or micro-wish (微心愿), from intake to rating.

    ``kind`` is ``request`` or ``micro_wish``; the wanted time is minutes
    after midnight; ``need_id`` names the need it was dispatched as in
    ``dataset_id``'s dataset (the latest dispatch).  Every change of state is
    in the audit log with who and when.
    """

    __tablename__ = "resident_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    household_id: Mapped[str | None] = mapped_column(String(100), default=None)
    requester: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    wanted_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    wanted_start: Mapped[int | None] = mapped_column(default=None)
    wanted_end: Mapped[int | None] = mapped_column(default=None)
    duration: Mapped[int] = mapped_column(default=60)
    volunteers: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    need_id: Mapped[str | None] = mapped_column(String(100), default=None)
    dispatches: Mapped[int] = mapped_column(default=0)
    rating: Mapped[int | None] = mapped_column(default=None)
    feedback: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WhatIfRun(Base):
    """One what-if run: scenarios of a dataset solved beside its base (issue 13).

    ``request`` is the body as sent (the scenarios file's TOML text under
    ``toml``, or the same as JSON), read again by the process that runs it;
    ``problem`` the dataset as it was when the run was made (the JSON of the
    :class:`~matcher.domain.Problem`); ``comparison`` is
    :func:`matcher.whatif.compare.comparison_data`, written in ``language``.
    Its states are those of :class:`JobStatus` (queued, running, done,
    failed, interrupted).
    """

    __tablename__ = "whatif_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[dict[str, Any]] = mapped_column()
    problem: Mapped[dict[str, Any]] = mapped_column()
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    language: Mapped[str] = mapped_column(
        String(8), default=lambda: language(), server_default="zh"
    )


class PairingRun(Base):
    """One pairing of a dataset's one-to-one households (issue 12), run as a job.

    ``problem`` is the dataset as it was when the run was made, ``previous``
    the pairing in place it keeps where it may (the pairs of the dataset's
    last finished run: ``household_id``, ``primary_id``, ``backup_id``);
    ``result`` holds the summary, pairs, unpaired households, changes and
    continuity, ``files`` the CSV and XLSX (base64) of ``matcher pair``.
    Its states are those of :class:`JobStatus`.
    """

    __tablename__ = "pairing_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[dict[str, Any]] = mapped_column()
    problem: Mapped[dict[str, Any]] = mapped_column()
    previous: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    files: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    language: Mapped[str] = mapped_column(
        String(8), default=lambda: language(), server_default="zh"
    )
