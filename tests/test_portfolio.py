"""HiGHS beside CP-SAT (matcher.solver.portfolio): the same stages, the same rules, a stop heard."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from matcher.check import check_roster
from matcher.domain import canonical
from matcher.eligibility import build_eligibility
from matcher.generate import generate_problem
from matcher.params import SolverParams
from matcher.result import Status
from matcher.solver import solve
from matcher.solver.backend import StageEnd, StageOutcome
from matcher.solver.cpsat import CpSatBackend
from matcher.solver.highs import HighsBackend
from matcher.solver.milp import model_proto
from matcher.solver.model import build_model
from matcher.solver.portfolio import (
    MOST_OVERLAPS,
    Portfolio,
    better_of,
    overlap_pairs,
    stage_backend,
)
from matcher.solver.reference import Reference
from matcher.solver.solution import Solution
from matcher.solver.stages import StageSettings, run_stages


def _model(problem, params, reference=None):
    """Eligible pairs and model as ``solve`` builds them (pruned from 150,000 pairs)."""
    elig = build_eligibility(
        problem, params.candidate_limit, params.prune_above, params.travel_minutes_default
    )
    return elig, build_model(problem, elig, params, reference=reference)


def test_highs_joins_from_the_size_set_or_with_two_workers_and_never_for_a_reference() -> None:
    problem = canonical(generate_problem(200, 60, seed=1))
    elig, rm = _model(problem, SolverParams())
    assert elig.size < SolverParams().highs_above  # community size: CP-SAT alone
    assert isinstance(stage_backend(rm, SolverParams(), elig, problem), CpSatBackend)
    assert isinstance(stage_backend(rm, SolverParams(highs_above=0), elig, problem), CpSatBackend)
    joined = stage_backend(rm, SolverParams(highs_above=elig.size), elig, problem)
    assert isinstance(joined, Portfolio) and isinstance(joined.highs, HighsBackend)
    assert not joined.race
    # two workers: HiGHS races CP-SAT at any size, unless switched off
    racing = stage_backend(rm, SolverParams(workers=2), elig, problem)
    assert isinstance(racing, Portfolio) and racing.race
    assert racing.cpsat.params.workers == 1  # HiGHS takes one of the two
    off = SolverParams(workers=2, highs_above=0)
    assert isinstance(stage_backend(rm, off, elig, problem), CpSatBackend)
    plan = solve(problem, SolverParams(time_limit=10))
    reference = Reference(plan.assignments)
    _, with_reference = _model(problem, SolverParams(), reference)
    for params in (SolverParams(highs_above=1), SolverParams(workers=2)):
        assert isinstance(stage_backend(with_reference, params, elig, problem), CpSatBackend)


@pytest.mark.parametrize(("seed", "workers"), [(1, 1), (2, 1), (1, 2)])
def test_highs_proves_the_same_coverage_and_wishes_as_cp_sat(seed: int, workers: int) -> None:
    problem = canonical(generate_problem(200, 60, seed=seed))
    both = SolverParams(time_limit=20, seed=seed, highs_above=1, workers=workers)
    elig, rm = _model(problem, both)
    portfolio = stage_backend(rm, both, elig, problem)
    assert isinstance(portfolio, Portfolio) and portfolio.race == (workers > 1)
    settings = StageSettings(
        params=both, started=time.perf_counter(), deadline_for=lambda _: math.inf
    )
    run = run_stages(problem, elig, rm, portfolio, settings)
    # HiGHS solved the stages before the soft one (and, racing CP-SAT, that one too).
    assert portfolio.highs.last is not None
    assert portfolio.highs.last.name == ("soft" if workers > 1 else "wishes")
    alone = solve(problem, SolverParams(time_limit=20, seed=seed, workers=workers))
    assert run.status == alone.status == Status.OPTIMAL
    assert [(r.name, r.objective) for r in run.reports] == [
        (r.name, r.objective) for r in alone.stages
    ]
    through_solve = solve(problem, both)
    assert through_solve.status == Status.OPTIMAL
    assert [r.objective for r in through_solve.stages] == [r.objective for r in alone.stages]
    assert check_roster(problem, through_solve.assignments) == []


def test_volunteers_with_many_needs_that_may_overlap_keep_highs_out() -> None:
    # 1,000 x 300: every need open to about 50 volunteers, nothing pruned; HiGHS did
    # not improve the coverage stage's start in 31 s where CP-SAT gained in 2 s.
    problem = canonical(generate_problem(1000, 300, seed=1))
    params = SolverParams(highs_above=1)
    elig, rm = _model(problem, params)
    assert overlap_pairs(model_proto(rm.model)) > MOST_OVERLAPS * elig.size
    assert isinstance(stage_backend(rm, params, elig, problem), CpSatBackend)


def test_a_stop_reaches_highs_in_the_coverage_stage() -> None:
    # 3,000 x 900 is a model HiGHS joins at the default size (coverage: about 11 s)
    problem = generate_problem(3000, 900, seed=2)
    params = SolverParams(time_limit=120, seed=2)
    elig, rm = _model(canonical(problem), params)
    assert isinstance(stage_backend(rm, params, elig, canonical(problem)), Portfolio)
    stop = threading.Event()
    seen: list[tuple[str, float, float]] = []

    def progress(stage: str, objective: float, bound: float, elapsed: float) -> None:
        seen.append((stage, objective, bound))
        if stage.startswith("coverage"):
            stop.set()  # while HiGHS runs the stage: its next interrupt check must hear it

    started = time.perf_counter()
    result = solve(problem, params, progress=progress, stop=stop)
    assert time.perf_counter() - started < 30  # far below the 120 s limit
    assert seen and seen[0][0].startswith("coverage")
    assert all(math.isfinite(bound) for _, _, bound in seen)  # HiGHS starts with no bound
    assert result.status == Status.FEASIBLE and result.assignments
    assert check_roster(problem, result.assignments) == []


def test_highs_prints_nothing() -> None:
    # highspy.Highs() writes a banner to file descriptor 1 unless silenced in time;
    # on the command line it would land in a roster written to stdout.
    code = (
        "from matcher.params import SolverParams\n"
        "from matcher.solver.milp import new_highs\n"
        "new_highs(1.0, SolverParams()).run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == ""


def _outcome(end: StageEnd, objective: float | None, bound: float | None) -> StageOutcome:
    roster = None if objective is None else Solution(np.zeros(1, dtype=bool), {}, {}, {})
    return StageOutcome(end, objective, bound, 1.0, roster)


def test_a_race_keeps_the_better_roster_and_the_smaller_bound() -> None:
    feasible, optimal = StageEnd.FEASIBLE, StageEnd.OPTIMAL
    won = better_of(_outcome(feasible, 40.0, 55.0), _outcome(feasible, 46.0, 47.0))
    assert (won.end, won.objective, won.bound) == (feasible, 46.0, 47.0)
    # the other's bound closes the gap of the better roster: proven
    won = better_of(_outcome(feasible, 47.0, 52.0), _outcome(feasible, 46.0, 47.0))
    assert (won.end, won.objective, won.bound) == (optimal, 47.0, 47.0)
    # HiGHS's dual bound holds without a roster; CP-SAT's without one is not used
    won = better_of(_outcome(feasible, 40.0, 60.0), _outcome(StageEnd.NO_ROSTER, None, 50.0))
    assert (won.objective, won.bound) == (40.0, 50.0)
    won = better_of(_outcome(StageEnd.NO_ROSTER, None, 41.0), _outcome(feasible, 40.0, 60.0))
    assert (won.objective, won.bound) == (40.0, 60.0)
    # either's proof of infeasibility holds for the model both solve
    won = better_of(_outcome(feasible, 40.0, 60.0), _outcome(StageEnd.INFEASIBLE, None, None))
    assert won.end == StageEnd.INFEASIBLE
