"""One stored run (a what-if run, a pairing run) worked in the server's solve pool.

Both kinds share their life (:mod:`api.store.whatif`): queued by a route,
claimed by the pool's process, ended there with the result or the error;
a process whose server died exits without writing (the next server marks
the run interrupted).  :func:`run_stored` is that life once; each kind gives
only its work.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.store.models import JobStatus
from api.store.whatif import Run, claim_run, end_run, find_run
from matcher.domain import Problem
from matcher.errors import DataError
from matcher.i18n import set_language

log = logging.getLogger(__name__)

Work = Callable[[Problem, Any], dict[str, Any]]
"""The work of a run: the problem and the stored row in, the columns to end it with out."""


def _finish(engine: Engine, model: Run, run_id: int, **values: Any) -> None:
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive

    if not _server_alive():  # nobody to receive it: the next server marks the run interrupted
        os._exit(ORPHAN_EXIT_CODE)
    with engine.begin() as connection:
        end_run(connection, run_id, model, **values)


def run_stored(
    database_url: str, run_id: int, model: Run, work: Work, failure: Callable[[Exception], str]
) -> str:
    """Claim, work and end one stored run in this (pool) process; its final status.

    Never raises: a failure is written to the row as ``failed`` with
    ``failure(exc)``, in the language of the request that queued the run.
    """
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive
    from api.store.database import make_engine
    from api.store.serialize import from_json

    if not _server_alive():
        os._exit(ORPHAN_EXIT_CODE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if not claim_run(connection, run_id, model):
                return "skipped"
        try:
            with Session(engine) as session:
                run = find_run(session, run_id, model)
                assert run is not None
                set_language(run.language)
                problem = from_json(Problem, run.problem)
            values = work(problem, run)
            _finish(engine, model, run_id, status=JobStatus.DONE.value, **values)
            return JobStatus.DONE.value
        except Exception as exc:
            if not isinstance(exc, DataError):
                log.error("run %s failed:\n%s", run_id, traceback.format_exc())
            message = failure(exc)
            _finish(engine, model, run_id, status=JobStatus.FAILED.value, error=message[:2000])
            return JobStatus.FAILED.value
    finally:
        engine.dispose()
