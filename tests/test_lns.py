"""The neighbourhood search of large models (matcher.solver.lns), on generated problems."""

from __future__ import annotations

import threading

import numpy as np
from ortools.sat.python import cp_model

from matcher.check import check_roster
from matcher.domain import canonical
from matcher.eligibility import build_eligibility
from matcher.generate import generate_problem
from matcher.params import SolverParams
from matcher.result import Status
from matcher.solver import solve
from matcher.solver.lns import NeighbourhoodSearch, model_values, solution_of
from matcher.solver.model import build_model
from matcher.solver.objective import pair_bound
from matcher.solver.reference import Reference
from matcher.solver.solution import Solution, roster_assignments
from matcher.solver.stages import _greedy_start, filled_keeping, stage_terms, trivial_bound


def _keeps_the_model(rm, values: np.ndarray) -> bool:
    """Whether ``values`` is a point of the model: every variable fixed there, CP-SAT agrees."""
    model = cp_model.CpModel()
    model.proto.copy_from(rm.model.proto)
    model.clear_hints()
    for i, value in enumerate(values.tolist()):
        domain = model.proto.variables[i].domain
        domain.clear()
        domain.extend((value, value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _start(problem, params):
    elig = build_eligibility(problem)
    rm = build_model(problem, elig, params)
    stages = stage_terms(rm)
    greedy = _greedy_start(problem, elig, rm, params, stages)
    return elig, rm, stages, greedy


def test_the_search_improves_the_soft_rules_and_keeps_every_rule() -> None:
    problem = canonical(generate_problem(400, 120, seed=3))
    params = SolverParams(wishes_stage=False)
    elig, rm, stages, greedy = _start(problem, params)
    soft = stages[-1]
    start = filled_keeping(greedy, problem, elig, rm, params, stages[:-1])
    rm.model.maximize(soft.expression())
    search = NeighbourhoodSearch(rm, elig, params)
    values = model_values(rm, start)
    before = start.value(soft, rm)
    seen: list[float] = []
    found = search.improve(soft, values, 4.0, seen.append)
    assert found.steps > 0
    assert found.objective >= before
    # every reported value is better than the last, and the last is the result
    assert seen == sorted(set(seen)) and (not seen or seen[-1] == found.objective)
    assert _keeps_the_model(rm, found.values)
    roster = solution_of(rm, found.values, stages)
    assert roster.terms["soft"] == found.objective
    assert check_roster(problem, roster_assignments(problem, elig, roster)) == []


def test_neighbourhoods_hold_needs_that_share_volunteers_up_to_their_size() -> None:
    problem = canonical(generate_problem(200, 60, seed=1))
    params = SolverParams()
    elig, rm, _stages, _greedy = _start(problem, params)
    search = NeighbourhoodSearch(rm, elig, params)
    rng = np.random.default_rng(0)
    for size in (1, 300, 10**9):
        needs = search.neighbourhood(rng, size)
        assert needs == sorted(set(needs)) and set(needs) <= set(rm.variables.staffed)
        pairs = sum(elig.pairs_of_need(n).size for n in needs)
        if size >= search.total_pairs:
            assert len(needs) == len(rm.variables.staffed)
        else:
            assert pairs >= size


def test_a_neighbourhood_of_the_whole_model_proves_the_stage() -> None:
    problem = generate_problem(200, 60, seed=2)
    plain = solve(problem, SolverParams(time_limit=30, neighbourhood_above=0))
    searched = solve(problem, SolverParams(time_limit=30, neighbourhood_above=1))
    assert plain.status == searched.status == Status.OPTIMAL
    # the same optimum of every stage, found by neighbourhoods that grew to the whole model
    assert [(s.name, s.objective) for s in searched.stages] == [
        (s.name, s.objective) for s in plain.stages
    ]
    assert check_roster(problem, searched.assignments) == []


def test_a_stop_reaches_the_search() -> None:
    problem = generate_problem(400, 120, seed=3)
    stop = threading.Event()
    bounds: list[float] = []

    def progress(stage: str, objective: float, bound: float, elapsed: float) -> None:
        if stage == "soft":
            bounds.append(bound)
            stop.set()  # the first better soft roster: the search is running

    params = SolverParams(time_limit=120, neighbourhood_above=1, wishes_stage=False)
    result = solve(problem, params, progress=progress, stop=stop)
    assert stop.is_set()
    # the search reports the bound from the pairs alone, not the trivial one
    planned = canonical(problem)
    elig, rm, stages, _greedy = _start(planned, params)
    pairs = pair_bound(planned, elig, rm.pair_open, rm.gain, params.weights, "soft")
    assert pairs is not None and pairs < trivial_bound(stages[-1])
    assert bounds and bounds[0] == pairs
    assert result.status == Status.FEASIBLE
    assert result.runtime < 60
    assert check_roster(problem, result.assignments) == []


def test_the_model_values_of_a_roster_are_a_point_of_the_model() -> None:
    problem = canonical(generate_problem(200, 60, seed=3))
    params = SolverParams()
    _elig, rm, stages, greedy = _start(problem, params)
    values = model_values(rm, greedy)
    assert _keeps_the_model(rm, values)
    again = solution_of(rm, values, stages)
    assert np.array_equal(again.assign, greedy.assign)
    assert isinstance(again, Solution)
    for stage in stages:
        assert again.terms[stage.name] == greedy.value(stage, rm)


def test_the_bounds_from_pairs_alone_hold_at_the_proven_optimum() -> None:
    for seed in (1, 2, 3):
        problem = canonical(generate_problem(200, 60, seed=seed))
        params = SolverParams(time_limit=30)
        result = solve(problem, params)
        assert result.status == Status.OPTIMAL
        elig, rm, _stages, _greedy = _start(problem, params)
        for report in result.stages:
            ceiling = pair_bound(problem, elig, rm.pair_open, rm.gain, params.weights, report.name)
            if report.name in ("soft", "wishes"):
                assert ceiling is not None and ceiling >= report.objective
            else:
                assert ceiling is None


def test_the_search_keeps_close_to_a_reference_roster() -> None:
    # The changes stage (negated literals, a start literal per flexible need)
    # searched by neighbourhoods: the reference itself is a roster of the
    # model, so nothing need change, and the search must find that.
    problem = generate_problem(200, 60, seed=2)
    params = SolverParams(time_limit=20, neighbourhood_above=1, wishes_stage=False)
    first = solve(problem, SolverParams(time_limit=20, wishes_stage=False))
    assert first.status == Status.OPTIMAL
    again = solve(problem, params, reference=Reference(assignments=first.assignments))
    assert again.has_roster and check_roster(problem, again.assignments) == []
    changes = next(s for s in again.stages if s.name == "changes")
    assert changes.objective == 0  # no change the model could avoid
    kept = {(a.need_id, a.volunteer_id, a.start) for a in again.assignments}
    assert kept >= {(a.need_id, a.volunteer_id, a.start) for a in first.assignments}
