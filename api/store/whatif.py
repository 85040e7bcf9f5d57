"""The SQL of what-if and pairing runs: queue, find, claim, end and interrupt them.

Like :mod:`api.store.jobs`, each state change is one guarded UPDATE, so a
run that ended (or was interrupted by a starting server) is never
overwritten by a late writer.  Both kinds of run (:class:`WhatIfRun`,
:class:`PairingRun`) share these columns and this life, so the functions
take the kind (``model``, default what-if).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from api.store.models import JobStatus, PairingRun, WhatIfRun, utcnow

Database = Connection | Session
"""Where a state change is written: the server's session or a run's own connection."""

ACTIVE = [JobStatus.QUEUED.value, JobStatus.RUNNING.value]
Run = type[WhatIfRun] | type[PairingRun]
"""A kind of run."""


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


def queue_pairing(
    session: Session,
    dataset_id: int,
    request: dict[str, Any],
    problem: dict[str, Any],
    previous: list[dict[str, Any]],
    created_by: int,
) -> PairingRun:
    """Add a queued pairing run for ``problem`` against the ``previous`` pairs (flushed)."""
    run = PairingRun(
        dataset_id=dataset_id,
        status=JobStatus.QUEUED.value,
        request=request,
        problem=problem,
        previous=previous,
        created_by=created_by,
    )
    session.add(run)
    session.flush()
    return run


def latest_pairing(session: Session, dataset_id: int) -> PairingRun | None:
    """The dataset's newest finished pairing: the pairing in place for the next one."""
    return session.scalar(
        select(PairingRun)
        .where(PairingRun.dataset_id == dataset_id, PairingRun.status == JobStatus.DONE.value)
        .order_by(PairingRun.id.desc())
        .limit(1)
    )


def pairings_of(
    session: Session, dataset_id: int, offset: int, limit: int
) -> tuple[int, list[PairingRun]]:
    """A page of a dataset's pairing runs, newest first, and how many there are."""
    where = PairingRun.dataset_id == dataset_id
    total = session.scalar(select(func.count()).select_from(PairingRun).where(where)) or 0
    rows = session.scalars(
        select(PairingRun).where(where).order_by(PairingRun.id.desc()).offset(offset).limit(limit)
    )
    return total, list(rows)


def find_run(session: Session, run_id: int, model: Run = WhatIfRun) -> Any:
    """The run with this id, None when there is none."""
    return session.get(model, run_id)


def claim_run(db: Database, run_id: int, model: Run = WhatIfRun) -> bool:
    """Mark a queued run running; False when it is no longer queued."""
    claimed = db.execute(
        update(model)
        .where(model.id == run_id, model.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.RUNNING.value, started_at=utcnow())
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def run_status(db: Database, run_id: int, model: Run = WhatIfRun) -> str | None:
    """The run's status as stored now, None when there is no such run."""
    return db.scalar(select(model.status).where(model.id == run_id))


def end_run(db: Database, run_id: int, model: Run = WhatIfRun, **values: Any) -> bool:
    """Write the end of a run (status, result or error) unless it already ended."""
    ended = db.execute(
        update(model)
        .where(model.id == run_id, model.status.in_(ACTIVE))
        .values(finished_at=utcnow(), **values)
    )
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def interrupt_runs(db: Database, reason: str) -> int:
    """Mark every what-if and pairing run not yet ended as interrupted; how many."""
    count = 0
    for model in (WhatIfRun, PairingRun):
        result = db.execute(
            update(model)
            .where(model.status.in_(ACTIVE))
            .values(status=JobStatus.INTERRUPTED.value, finished_at=utcnow(), error=reason)
        )
        count += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return count
