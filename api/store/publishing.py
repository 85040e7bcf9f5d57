"""Publishing a roster as its dataset's plan of record, atomically and once.

Two publishes at the same moment (a double click, or two coordinators) must
not write history twice, and two rosters of one dataset must never both be
plan of record.  Three things hold that on SQLite and PostgreSQL alike:

1. the first statement writes the dataset's row (its ``updated_at``), which
   locks that row on PostgreSQL and takes SQLite's single write lock, so
   publishes of one dataset run one by one from there;
2. only then is the roster read again: the second of two publishes of one
   roster finds it published and answers "already published", and the
   second of two rosters finds the first as the plan of record it supersedes;
3. a partial unique index (``uq_solve_jobs_plan_of_record``) allows one
   unsuperseded published roster per dataset, should anything slip past.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.store.datasets import item_columns
from api.store.models import Dataset, DatasetItem, SolveJob, VolunteerRecord, utcnow
from api.store.rows import ItemTable
from matcher.domain import Assignment, HistoryEntry, Problem
from matcher.history import history_of
from matcher.i18n import _


class PublishConflictError(Exception):
    """The roster cannot be published now; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class Published:
    """What publishing wrote."""

    published_at: dt.datetime
    history_rows: int
    skipped: int
    superseded: int | None


def publish(
    session: Session,
    job: SolveJob,
    problem: Problem,
    roster: Iterable[Assignment],
    published_by: int,
) -> Published:
    """Make ``job`` its dataset's plan of record and write its history; the caller commits.

    Raises
    ------
    PublishConflictError
        When the roster was published meanwhile, or another roster of the
        dataset became plan of record at the same moment (the session is
        rolled back then).
    """
    assert job.dataset_id is not None
    dataset_id, now = job.dataset_id, utcnow()
    # The first statement writes the dataset's row: PostgreSQL locks that row, SQLite
    # takes its one write lock, so publishes of one dataset run one at a time from here.
    session.execute(
        update(Dataset)
        .where(Dataset.id == dataset_id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    published_at = session.scalar(
        select(SolveJob.published_at)
        .where(SolveJob.id == job.id)
        .execution_options(populate_existing=True)
    )
    if published_at is not None:
        session.rollback()
        raise PublishConflictError(_("roster {id} is already published").format(id=job.id))
    previous = session.scalar(
        select(SolveJob).where(
            SolveJob.dataset_id == dataset_id,
            SolveJob.id != job.id,
            SolveJob.published_at.is_not(None),
            SolveJob.superseded_at.is_(None),
        )
    )
    if previous is not None:
        previous.superseded_at = now
        session.execute(
            delete(DatasetItem).where(
                DatasetItem.dataset_id == dataset_id, DatasetItem.roster_id == previous.id
            )
        )
        session.flush()  # superseded before this roster takes its place (the unique index)
    written, skipped = _write_history(session, dataset_id, job.id, history_of(problem, roster))
    job.published_at, job.published_by = now, published_by
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise PublishConflictError(
            _(
                "another roster of dataset {dataset} was published at the same moment; "
                "read the rosters again and retry"
            ).format(dataset=dataset_id)
        ) from exc
    return Published(now, written, skipped, previous.id if previous else None)


def _write_history(
    session: Session, dataset_id: int, roster_id: int, entries: list[HistoryEntry]
) -> tuple[int, int]:
    """Append history rows for volunteers still in the dataset; (written, skipped)."""
    present = set(
        session.scalars(
            select(VolunteerRecord.entity_id).where(VolunteerRecord.dataset_id == dataset_id)
        )
    )
    position = ItemTable("history").next_position(session, dataset_id)
    written = skipped = 0
    for entry in entries:
        if entry.volunteer_id not in present:
            skipped += 1
            continue
        session.add(
            DatasetItem(
                dataset_id=dataset_id,
                kind="history",
                position=position,
                roster_id=roster_id,
                **item_columns(entry),
            )
        )
        position += 1
        written += 1
    return written, skipped
