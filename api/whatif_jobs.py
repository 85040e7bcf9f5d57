"""What-if runs in the server's process pool, beside the solve jobs (:mod:`api.jobs`).

``POST /datasets/{id}/whatif`` writes a :class:`~api.store.models.WhatIfRun`
row and queues :func:`run_whatif` in the same pool as the solves, so a
what-if run waits its turn like a solve and the web server never builds a
model.  In the pool's process the scenarios are solved one by one (the
pool's process is the unit of work the server was given), or on the Dask
cluster named by ``MATCHER_DASK_SCHEDULER`` when there is one
(:mod:`matcher.whatif.run`).  The comparison is written to the row; the
export route builds the files from it.
"""

from __future__ import annotations

import logging
import os
import traceback
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.store.models import JobStatus
from api.store.whatif import claim_run, end_run, find_run
from matcher.errors import DataError
from matcher.i18n import _, set_language
from matcher.whatif.scenarios import ScenarioFile, scenarios_from_mapping, scenarios_from_text

log = logging.getLogger(__name__)

LABEL = "scenarios.toml"  # i18n: not shown: the file name messages place errors in


def scenarios_of(body: dict[str, Any]) -> ScenarioFile:
    """The scenarios of a request body: its ``toml`` text, or ``settings`` and ``scenarios``.

    Raises
    ------
    DataError
        Every mistake, by key path.
    """
    if body.get("toml") is not None:
        return scenarios_from_text(body["toml"], LABEL)
    mapping = {key: body[key] for key in ("settings", "scenarios") if body.get(key) is not None}
    return scenarios_from_mapping(mapping, LABEL)


def _finish(engine: Engine, run_id: int, **values: Any) -> None:
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive

    if not _server_alive():  # nobody to receive it: the next server marks the run interrupted
        os._exit(ORPHAN_EXIT_CODE)
    with engine.begin() as connection:
        end_run(connection, run_id, **values)


def run_whatif(database_url: str, run_id: int) -> str:
    """Run one what-if run in this (pool) process; return its final status.

    Never raises: a failure is written to the row as ``failed``.
    """
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive, clean_json
    from api.store.database import make_engine
    from api.store.serialize import from_json
    from matcher.domain import Problem
    from matcher.whatif.compare import comparison_data
    from matcher.whatif.run import run_scenarios

    if not _server_alive():
        os._exit(ORPHAN_EXIT_CODE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if not claim_run(connection, run_id):
                return "skipped"
        try:
            with Session(engine) as session:
                run = find_run(session, run_id)
                assert run is not None
                set_language(run.language)
                problem = from_json(Problem, run.problem)
                body = dict(run.request)
            scenarios = scenarios_of(body)
            base, runs = run_scenarios(
                problem, scenarios, time_limit=body.get("time_limit"), workers=1, label=LABEL
            )
            data = comparison_data(base, runs, stable=scenarios.settings.stable)
            _finish(engine, run_id, status=JobStatus.DONE.value, comparison=clean_json(data))
            return JobStatus.DONE.value
        except Exception as exc:
            if not isinstance(exc, DataError):
                log.error("what-if run %s failed:\n%s", run_id, traceback.format_exc())
            message = _("the what-if run failed: {error}").format(error=exc)
            _finish(engine, run_id, status=JobStatus.FAILED.value, error=message[:2000])
            return JobStatus.FAILED.value
    finally:
        engine.dispose()
