"""Solve the base and every scenario, in parallel on a Dask cluster.

Each scenario is built here (:func:`~matcher.whatif.scenarios.apply_scenario`)
and shipped to a worker as plain problem data: the domain dataclasses
pickle, CP-SAT's models do not (since OR-Tools 9.12), so every worker
builds its own model.  A worker is a process with one thread and solves
with one CP-SAT worker and a fixed seed, so a scenario's roster does not
depend on how many scenarios run beside it.  Dask's workers are daemonic
processes and cannot start processes of their own, so the solver runs
inside the task, in the worker's process.

By default the scenarios are solved *stable*: the base is solved first and
its roster is the reference of every scenario (:mod:`matcher.solver.reference`:
a stage right after coverage keeps the fewest changes), so a scenario's
roster differs from the base only where the scenario makes it cover more,
and "assignments changed" counts the people who would really have to be
told.  ``stable = false`` in the file's settings (``matcher whatif --fresh``)
solves every scenario from scratch instead, as a new plan.

Where it runs, in order:

* ``MATCHER_DASK_SCHEDULER=tcp://host:port``: an existing cluster;
* one run in all, or ``workers=1``: here, one after the other;
* else a :class:`distributed.LocalCluster` of ``min(runs, cores, workers)``
  processes, one thread each, started for this call and closed after it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from matcher.domain import Assignment, Problem
from matcher.errors import DataError
from matcher.i18n import _, language, use_language
from matcher.params import SolverParams
from matcher.result import Result
from matcher.whatif.compare import RunOutcome
from matcher.whatif.scenarios import ScenarioFile, apply_scenario

__all__ = ["SCHEDULER_VARIABLE", "cluster_workers", "run_scenarios", "solve_plain"]

SCHEDULER_VARIABLE = "MATCHER_DASK_SCHEDULER"
"""The environment variable naming an existing Dask scheduler (``tcp://host:port``)."""

CONNECT_SECONDS = 10
"""How long to wait for an existing scheduler to answer."""


def solve_plain(
    problem: Problem,
    params: SolverParams,
    lang: str,
    reference: tuple[Assignment, ...] | None = None,
) -> Result:
    """One solve as a Dask task: one CP-SAT worker, messages in the caller's language.

    Parameters
    ----------
    problem
        The scenario's problem (plain, pickled data).
    params
        Its parameters; ``workers`` is set to 1 here whatever they say, as
        the cluster's worker is the unit of parallelism.
    lang
        The language of the explanations (the worker has its own environment).
    reference
        A roster to stay close to (the base's, for a stable scenario), or None.

    Returns
    -------
    Result
        Plain data: it pickles back to the caller.
    """
    from matcher.solver import solve
    from matcher.solver.reference import Reference

    target = Reference(reference) if reference is not None else None
    with use_language(lang):
        return solve(problem, params.replace(workers=1), reference=target)


def cluster_workers(runs: int, workers: int | None) -> int:
    """How many worker processes a local cluster gets: runs, cores and the cap, the least."""
    cores = os.cpu_count() or 1
    return max(1, min(runs, cores, workers or cores))


@contextlib.contextmanager
def _client(runs: int, workers: int | None) -> Iterator[Any]:
    """A Dask client for this call, or None to solve here one by one."""
    address = os.environ.get(SCHEDULER_VARIABLE, "").strip()
    if not address and (runs <= 1 or workers == 1):
        yield None
        return
    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            message = _("cannot reach the Dask scheduler {address}: {error}").format(
                address=address, error=error
            )
            raise DataError.at(SCHEDULER_VARIABLE, message) from None
        with client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=cluster_workers(runs, workers),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        host="127.0.0.1",
        scheduler_port=0,
    )
    with cluster, Client(cluster) as client:
        yield client


def run_scenarios(
    problem: Problem,
    scenarios: ScenarioFile,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    stable: bool | None = None,
    label: str = "scenarios.toml",
    progress: Callable[[str], None] | None = None,
) -> tuple[RunOutcome, list[RunOutcome]]:
    """Solve the base problem and every scenario of a file.

    Parameters
    ----------
    problem
        The base problem (the dataset as it is).
    scenarios
        The scenarios file.
    time_limit
        Seconds per solve; None takes the file's ``settings.time_limit``.
    workers
        At most this many worker processes of a local cluster (1 solves
        here, one by one); None uses every core.  An existing cluster
        (:data:`SCHEDULER_VARIABLE`) has the workers it has.
    stable
        Solve each scenario with the base roster as its reference (see the
        module notes); None takes the file's ``settings.stable``.
    label
        The file name used in messages.
    progress
        Called with each scenario's name as its solve ends.

    Returns
    -------
    tuple
        The base's outcome and each scenario's, in file order.  A scenario
        that cannot be built has its messages in ``issues`` and no result.

    Raises
    ------
    DataError
        When the scheduler named by :data:`SCHEDULER_VARIABLE` cannot be reached.
    """
    settings = scenarios.settings
    limit = time_limit if time_limit is not None else settings.time_limit
    base_params = SolverParams(time_limit=limit, seed=settings.seed)
    outcomes: list[RunOutcome] = []
    jobs: list[tuple[int, Problem, SolverParams]] = []
    for index, scenario in enumerate(scenarios.scenarios):
        try:
            changed, params = apply_scenario(problem, scenarios, index, label)
        except DataError as error:
            outcomes.append(
                RunOutcome(
                    scenario.name,
                    scenario.description,
                    scenario.extends,
                    issues=tuple(str(issue) for issue in error.issues),
                )
            )
            continue
        outcomes.append(RunOutcome(scenario.name, scenario.description, scenario.extends, changed))
        jobs.append((index, changed, params.replace(time_limit=limit)))
    names = [_("base"), *(scenarios.scenarios[job[0]].name for job in jobs)]
    stable = settings.stable if stable is None else stable
    with _client(len(jobs) + 1, workers) as client:
        base_result = _solve_all(client, [problem], [base_params], [None], names[:1], progress)[0]
        reference = base_result.assignments if stable and base_result.has_roster else None
        results = _solve_all(
            client,
            [job[1] for job in jobs],
            [job[2] for job in jobs],
            [None if scenarios.scenarios[job[0]].fresh else reference for job in jobs],
            names[1:],
            progress,
        )
    results = [base_result, *results]
    base = RunOutcome(_("base"), problem=problem, result=results[0])
    for (index, changed, _params), result in zip(jobs, results[1:], strict=True):
        outcome = outcomes[index]
        outcomes[index] = RunOutcome(
            outcome.name, outcome.description, outcome.extends, changed, result
        )
    return base, outcomes


def _solve_all(
    client: Any,
    problems: Sequence[Problem],
    params: Sequence[SolverParams],
    references: Sequence[tuple[Assignment, ...] | None],
    names: Sequence[str],
    progress: Callable[[str], None] | None,
) -> list[Result]:
    """Solve on the cluster (``client``) or here when it is None; results in order."""
    lang = language()
    if client is None:
        results = []
        for problem, p, reference, name in zip(problems, params, references, names, strict=True):
            results.append(solve_plain(problem, p, lang, reference))
            if progress:
                progress(name)
        return results
    from distributed import as_completed

    count = len(problems)
    # pure=False: two scenarios may build equal problems; each is still its own run
    futures = client.map(
        solve_plain, list(problems), list(params), [lang] * count, list(references), pure=False
    )
    order = {future.key: i for i, future in enumerate(futures)}
    results_by_index: dict[int, Result] = {}
    for future in as_completed(futures):
        index = order[future.key]
        results_by_index[index] = future.result()
        if progress:
            progress(names[index])
    return [results_by_index[i] for i in range(count)]
