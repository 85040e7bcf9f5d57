"""The SQL of what-if runs: queue, find, claim, end and interrupt them.

Like :mod:`api.store.jobs`, each state change is one guarded UPDATE, so a
run that ended (or was interrupted by a starting server) is never
overwritten by a late writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from api.store.models import JobStatus, WhatIfRun, utcnow

Database = Connection | Session
"""Where a state change is written: the server's session or a run's own connection."""

ACTIVE = [JobStatus.QUEUED.value, JobStatus.RUNNING.value]


def queue_run(
    session: Session,
    dataset_id: int,
    request: dict[str, Any],
    problem: dict[str, Any],
    created_by: int,
) -> WhatIfRun:
    """Add a queued run for the snapshot ``problem`` (flushed, so it has its id)."""
    run = WhatIfRun(
        dataset_id=dataset_id,
        status=JobStatus.QUEUED.value,
        request=request,
        problem=problem,
        created_by=created_by,
    )
    session.add(run)
    session.flush()
    return run


def find_run(session: Session, run_id: int) -> WhatIfRun | None:
    """The run with this id, None when there is none."""
    return session.get(WhatIfRun, run_id)


def claim_run(db: Database, run_id: int) -> bool:
    """Mark a queued run running; False when it is no longer queued."""
    claimed = db.execute(
        update(WhatIfRun)
        .where(WhatIfRun.id == run_id, WhatIfRun.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.RUNNING.value, started_at=utcnow())
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def run_status(db: Database, run_id: int) -> str | None:
    """The run's status as stored now, None when there is no such run."""
    return db.scalar(select(WhatIfRun.status).where(WhatIfRun.id == run_id))


def end_run(db: Database, run_id: int, **values: Any) -> bool:
    """Write the end of a run (status, comparison or error) unless it already ended."""
    ended = db.execute(
        update(WhatIfRun)
        .where(WhatIfRun.id == run_id, WhatIfRun.status.in_(ACTIVE))
        .values(finished_at=utcnow(), **values)
    )
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def interrupt_runs(db: Database, reason: str) -> int:
    """Mark every run not yet ended as interrupted, with ``reason``; how many."""
    result = db.execute(
        update(WhatIfRun)
        .where(WhatIfRun.status.in_(ACTIVE))
        .values(status=JobStatus.INTERRUPTED.value, finished_at=utcnow(), error=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
