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

from typing import Any

from api.pool_runs import run_stored
from api.store.models import WhatIfRun
from matcher.i18n import _
from matcher.whatif.scenarios import ScenarioFile, scenarios_from_mapping, scenarios_from_text

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


def _compare(problem: Any, run: Any) -> dict[str, Any]:
    """Solve the base and the scenarios; the comparison to store."""
    from api.jobs import clean_json
    from matcher.whatif.compare import comparison_data
    from matcher.whatif.run import run_scenarios

    body = dict(run.request)
    scenarios = scenarios_of(body)
    base, runs = run_scenarios(
        problem, scenarios, time_limit=body.get("time_limit"), workers=1, label=LABEL
    )
    return {"comparison": clean_json(comparison_data(base, runs, stable=scenarios.settings.stable))}


def run_whatif(database_url: str, run_id: int) -> str:
    """Run one what-if run in this (pool) process; return its final status.

    Never raises: a failure is written to the row as ``failed``.
    """
    return run_stored(
        database_url,
        run_id,
        WhatIfRun,
        _compare,
        lambda exc: _("the what-if run failed: {error}").format(error=exc),
    )
