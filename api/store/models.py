"""Tables of the service (SQLAlchemy 2 typed ORM).

A dataset keeps every row of the uploaded :class:`~matcher.domain.Problem`:
volunteers, households and needs each get a table with the columns that
filters use, other rows (departments, skills, availability, blackouts, pairs,
pins, history, travel) share :class:`DatasetItem`.  Every row also holds the
whole entity as JSON (:mod:`api.store.serialize`), so the Problem is rebuilt
exactly, in its original order (``position``).

The schema is created by the Alembic migrations in ``migrations/``, never by
``create_all``; a test checks that the two agree.
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
    # The language its explanations and messages are written in: the request's that made
    # it (the default is read at insert, inside the request), since the solve runs in
    # another process that knows nothing of the request.
    language: Mapped[str] = mapped_column(
        String(8), default=lambda: language(), server_default="zh"
    )
    """When a later published roster of the same dataset replaced this one as plan of record."""


class CalendarLink(Base):
    """A subscribable link to one volunteer's calendar, stored like an API key (hashed).

    Phone calendars cannot send headers, so the link carries its own token in
    the URL; the token opens that one calendar and nothing else, and revoking
    it (or deleting the dataset) closes it.
    """

    __tablename__ = "calendar_links"

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
