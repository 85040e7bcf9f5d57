"""The SQL of solve jobs: queue one, find one, list them, the plan of record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.store.models import JobStatus, SolveJob


def queue_job(
    session: Session,
    dataset_id: int,
    params: dict[str, Any],
    problem: dict[str, Any],
    created_by: int,
) -> SolveJob:
    """Add a queued job for the snapshot ``problem`` (flushed, so it has its id)."""
    job = SolveJob(
        dataset_id=dataset_id,
        status=JobStatus.QUEUED.value,
        params=params,
        problem=problem,
        created_by=created_by,
    )
    session.add(job)
    session.flush()
    return job


def find_job(session: Session, job_id: int) -> SolveJob | None:
    """The job with this id, None when there is none."""
    return session.get(SolveJob, job_id)


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
