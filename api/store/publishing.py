"""Publishing a roster as its dataset's plan of record, atomically and once.

Publishing makes each assignment of the roster a proposal its volunteer
confirms or declines (:func:`api.store.proposals.propose_roster`); it
writes no history: the history is what happened, read from attendance.

Two publishes at the same moment (a double click, or two coordinators) must
not make proposals twice, and two rosters of one dataset must never both be
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

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.store.models import Dataset, SolveJob, utcnow
from api.store.proposals import Notice, propose_roster
from matcher.domain import Assignment
from matcher.i18n import _


class PublishConflictError(Exception):
    """The roster cannot be published now; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class Published:
    """What publishing wrote: proposals made (asked anew), kept (answer carried over from
    the plan it supersedes) and cancelled (in that plan, not in this one)."""

    published_at: dt.datetime
    proposals_made: int
    proposals_kept: int
    proposals_cancelled: int
    superseded: int | None
    notices: tuple[Notice, ...] = ()
    proposals_moved: int = 0


def publish(
    session: Session,
    job: SolveJob,
    roster: Iterable[Assignment],
    published_by: int,
) -> Published:
    """Make ``job`` its dataset's plan of record and propose its assignments; the caller commits.

    Writes no history.  When ``job`` supersedes a plan of record, an
    assignment identical in both keeps its answer and the earlier plan's
    open proposals missing from this one are cancelled
    (:func:`api.store.proposals.propose_roster`).

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
        session.flush()  # superseded before this roster takes its place (the unique index)
    job.published_at, job.published_by = now, published_by
    try:
        session.flush()
        made = propose_roster(session, job, roster, previous, now)
    except IntegrityError as exc:
        session.rollback()
        raise PublishConflictError(
            _(
                "another roster of dataset {dataset} was published at the same moment; "
                "read the rosters again and retry"
            ).format(dataset=dataset_id)
        ) from exc
    return Published(
        now,
        made.made,
        made.kept,
        made.cancelled,
        previous.id if previous else None,
        made.notices,
        made.moved,
    )
