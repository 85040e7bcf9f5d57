"""The SQL of solve jobs: queue, find and list them, the plan of record, and their states.

The state changes (claim, progress, end, interrupt) take a session or a
connection: the solver process writes through its own engine's connections,
the server through sessions.  Each one is a single guarded UPDATE, so a job
that ended (or was interrupted) is never overwritten by a late writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from api.store.models import ACTIVE_STATUSES, JobStatus, SolveJob, utcnow
from matcher.i18n import N_

Database = Connection | Session
"""Where a state change is written: the server's session or a solver process's connection."""

ACTIVE = [s.value for s in ACTIVE_STATUSES]


def queue_job(
    session: Session,
    dataset_id: int,
    params: dict[str, Any],
    problem: dict[str, Any],
    created_by: int,
    reference: dict[str, Any] | None = None,
) -> SolveJob:
    """Add a queued job for the snapshot ``problem`` (flushed, so it has its id).

    ``reference`` names the roster the solve is kept close to (see ``SolveJob.reference``).
    """
    job = SolveJob(
        dataset_id=dataset_id,
        status=JobStatus.QUEUED.value,
        params=params,
        problem=problem,
        created_by=created_by,
        reference=reference,
    )
    session.add(job)
    session.flush()
    return job


def add_draft(
    session: Session,
    source: SolveJob,
    problem: dict[str, Any],
    reference: dict[str, Any],
    created_by: int,
    result: dict[str, Any],
) -> SolveJob:
    """Store a roster solved in the request (a repair) as a job that ended: a draft to publish.

    Parameters
    ----------
    session
        The request's session (flushed, so the draft has its id).
    source
        The roster it was made from (its dataset and parameters are kept).
    problem
        The snapshot the draft was solved on.
    reference
        What it is kept close to (``SolveJob.reference``).
    created_by
        The key that asked.
    result
        ``status``, ``progress``, ``summary`` and ``roster`` as a solve job writes them.
    """
    now = utcnow()
    job = SolveJob(
        dataset_id=source.dataset_id,
        params=source.params,
        problem=problem,
        created_by=created_by,
        reference=reference,
        started_at=now,
        finished_at=now,
        **result,
    )
    session.add(job)
    session.flush()
    return job


def find_job(session: Session, job_id: int, *, fresh: bool = False) -> SolveJob | None:
    """The job with this id, None when there is none; ``fresh`` reads it again from the store."""
    return session.get(SolveJob, job_id, populate_existing=fresh)


def job_page(
    session: Session,
    dataset_id: int | None = None,
    status: str | None = None,
    published: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[SolveJob]]:
    """Jobs of a dataset, status and publication over all pages, and one page newest first."""
    query = select(SolveJob)
    if dataset_id is not None:
        query = query.where(SolveJob.dataset_id == dataset_id)
    if status is not None:
        query = query.where(SolveJob.status == status)
    if published is not None:
        query = query.where(
            SolveJob.published_at.is_not(None) if published else SolveJob.published_at.is_(None)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    jobs = session.scalars(query.order_by(SolveJob.id.desc()).offset(offset).limit(limit))
    return total, list(jobs)


def plan_of_record(session: Session, dataset_id: int) -> SolveJob | None:
    """The dataset's published roster that no later one superseded, if any."""
    return session.scalar(
        select(SolveJob).where(
            SolveJob.dataset_id == dataset_id,
            SolveJob.published_at.is_not(None),
            SolveJob.superseded_at.is_(None),
        )
    )


# --------------------------------------------------------------------------- states


def claim_job(db: Database, job_id: int) -> bool:
    """Mark a queued job running; False when it is no longer queued (stopped, interrupted)."""
    claimed = db.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.RUNNING.value, started_at=utcnow())
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def job_status(db: Database, job_id: int) -> str | None:
    """The job's status as stored now, None when there is no such job."""
    return db.scalar(select(SolveJob.status).where(SolveJob.id == job_id))


def write_progress(db: Database, job_id: int, progress: dict[str, Any]) -> None:
    """Replace the job's progress (best objective, bound, gap of the current stage)."""
    db.execute(update(SolveJob).where(SolveJob.id == job_id).values(progress=progress))


def end_job(db: Database, job_id: int, **values: Any) -> bool:
    """Write the end of a job (status, result or error) unless it already ended.

    Returns whether it was written: False for a job that ended meanwhile,
    e.g. one a starting server marked interrupted.
    """
    ended = db.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status.in_(ACTIVE))
        .values(finished_at=utcnow(), **values)
    )
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def interrupt_active(db: Database, reason: str) -> int:
    """Mark every job not yet ended as interrupted, with ``reason``; how many."""
    result = db.execute(
        update(SolveJob)
        .where(SolveJob.status.in_(ACTIVE))
        .values(status=JobStatus.INTERRUPTED.value, finished_at=utcnow(), error=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def stop_all(db: Database) -> None:
    """At shutdown: queued jobs are interrupted, running ones asked to stop (keeping rosters)."""
    db.execute(
        update(SolveJob)
        .where(SolveJob.status == JobStatus.QUEUED.value)
        .values(
            status=JobStatus.INTERRUPTED.value,
            finished_at=utcnow(),
            # an English message id: the job's answer translates it for whoever reads it
            error=N_("the server stopped before this job started"),
        )
    )
    db.execute(
        update(SolveJob)
        .where(SolveJob.status == JobStatus.RUNNING.value)
        .values(status=JobStatus.STOPPING.value)
    )


def request_stop(db: Database, job_id: int) -> str | None:
    """Stop a job in one guarded UPDATE each; the status it now has, None if it had ended.

    A queued job ends at once as stopped; a running one is asked to stop.  The
    guard on the status it had means a job its solver claimed or finished in
    the meantime is never overwritten (the caller reads the status again).
    """
    stopped = db.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.QUEUED.value)
        .values(
            status=JobStatus.STOPPED.value,
            finished_at=utcnow(),
            error=N_("stopped before it started"),
        )
    )
    if stopped.rowcount:  # type: ignore[attr-defined]
        return JobStatus.STOPPED.value
    asked = db.execute(
        update(SolveJob)
        .where(SolveJob.id == job_id, SolveJob.status == JobStatus.RUNNING.value)
        .values(status=JobStatus.STOPPING.value)
    )
    if asked.rowcount:  # type: ignore[attr-defined]
        return JobStatus.STOPPING.value
    status = job_status(db, job_id)
    return status if status == JobStatus.STOPPING.value else None
