"""The HiGHS translation of the roster model is faithful (matcher/solver/milp.py and friends).

Faithful means: on models CP-SAT solves to optimality, HiGHS reaches the same
optimum; a CP-SAT solution is a point of the MILP; a HiGHS solution is
accepted by CP-SAT; and every LP bound is at least the optimum.
"""

from __future__ import annotations

import random
import types

import numpy as np
import pytest
from ortools.sat.python import cp_model

from benchmarks.gap import INSTANCES, read_gap_file
from benchmarks.highs_backend import prepare, roster_values, solve_gap_with_highs, solve_with_highs
from benchmarks.lp_bounds import (
    coverage_weights_by_priority,
    hold_row,
    lp_bounds,
    priority_count_rows,
    unpruned_bounds,
)
from benchmarks.timing import cp_sat_time_to_gap
from matcher.generate import community_a, generate_problem
from matcher.params import SolverParams
from matcher.result import Status
from matcher.solver import solve
from matcher.solver.highs import solve_stage
from matcher.solver.milp import THREADS, StageObjective, TranslationError, model_proto, translate
from matcher.solver.objective import Term
from matcher.solver.stages import stage_terms

# --- small random CP models with every constraint kind the roster model emits ---------------


def _random_model(seed: int) -> tuple[cp_model.CpModel, Term]:
    rng = random.Random(seed)
    m = cp_model.CpModel()
    bools = [m.new_bool_var(f"b{i}") for i in range(8)]
    ints = [m.new_int_var(0, rng.randint(4, 12), f"i{k}") for k in range(3)]

    def lit() -> cp_model.IntVar:
        b = rng.choice(bools)
        return b if rng.random() < 0.6 else ~b  # type: ignore[return-value]

    for _ in range(3):
        chosen = rng.sample([*bools, *ints], 4)
        expr = sum(rng.randint(-3, 4) * v for v in chosen)
        low = rng.randint(-6, 6)
        ct = m.add_linear_constraint(expr, low, low + rng.randint(0, 8))
        if rng.random() < 0.6:
            ct.only_enforce_if([lit() for _ in range(rng.randint(1, 2))])
    # A domain with holes, as add_flexible_windows emits, enforced by a literal.
    holes = cp_model.Domain.from_intervals([[0, 2], [6, 7], [11, 30]])
    m.add_linear_expression_in_domain(ints[0] + ints[1], holes).only_enforce_if(lit())
    m.add_bool_or([lit() for _ in range(3)])
    m.add_bool_and([lit(), lit()]).only_enforce_if(lit())
    m.add_at_most_one([lit() for _ in range(3)])
    m.add_exactly_one(rng.sample(bools, 3))
    intervals = []
    for k in range(4):
        # Fixed starts too: pairs of fixed intervals are decided from the data alone.
        start = ints[k % 3] + rng.randint(0, 3) if rng.random() < 0.5 else rng.randint(0, 6)
        size = rng.randint(0, 4)  # zero-size intervals too: CP-SAT's rule covers them
        if rng.random() < 0.8:
            intervals.append(m.new_optional_fixed_size_interval_var(start, size, lit(), f"v{k}"))
        else:
            intervals.append(m.new_fixed_size_interval_var(start, size, f"v{k}"))
    # One interval whose end is a variable of its own (start + size == end is a row).
    end = m.new_int_var(0, 20, "end")
    intervals.append(m.new_optional_interval_var(ints[2], 3, end, lit(), "w"))
    m.add_no_overlap(intervals)
    variables = [*bools, *ints]
    objective = Term("objective", variables, [rng.randint(-5, 9) for _ in variables])
    return m, objective


@pytest.mark.parametrize("seed", range(40))
def test_random_models_have_the_same_optimum(seed: int) -> None:
    model, term = _random_model(seed)
    milp = translate(model_proto(model))
    model.maximize(term.expression())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    code = solver.solve(model)
    assert code in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    model.clear_objective()
    stage = StageObjective(
        "objective",
        np.array([v.index for v in term.variables]),  # type: ignore[union-attr]
        np.array(term.coefficients, dtype=np.float64),
        0.0,
    )
    report, solution = solve_stage(milp, stage, [], None, 10.0, SolverParams())
    if code == cp_model.INFEASIBLE:
        assert report.status == "INFEASIBLE"
        return
    assert report.status == "OPTIMAL"
    assert report.objective == solver.objective_value
    # CP-SAT's optimum is a point of the MILP (the translation cuts off nothing) ...
    values = np.array(
        [solver.value(model.get_int_var_from_proto_index(i)) for i in range(milp.proto_vars)],
        dtype=np.float64,
    )
    assert milp.violations(milp.complete(values)) == 0
    # ... and HiGHS's optimum keeps every CP-SAT constraint (it admits nothing more).
    assert solution is not None
    for i in range(milp.proto_vars):
        var = model.get_int_var_from_proto_index(i)
        model.add(var == int(solution[i]))
    assert cp_model.CpSolver().solve(model) == cp_model.OPTIMAL
    # The LP relaxation bounds the optimum.
    lp = lp_bounds(milp, [stage], [])
    assert lp[0].bound is not None and lp[0].bound >= solver.objective_value
    relaxed = lp_bounds(translate(model_proto(model), relax=True), [stage], [])
    assert relaxed[0].bound is not None and relaxed[0].bound >= solver.objective_value


def test_a_random_model_is_not_trivial() -> None:
    """The random models exercise what they claim to (else the test above proves little)."""
    kinds: dict[str, int] = {}
    statuses = set()
    for seed in range(40):
        model, _ = _random_model(seed)
        for kind, count in translate(model_proto(model)).kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
        statuses.add(cp_model.CpSolver().solve(model))
    expected = {"linear", "bool_or", "bool_and", "at_most_one", "exactly_one", "interval"}
    assert expected | {"no_overlap"} <= set(kinds)
    assert statuses == {cp_model.OPTIMAL, cp_model.INFEASIBLE}


# --- unsupported input is an error, never a silent mistranslation ---------------------------


def test_an_unsupported_constraint_is_an_error() -> None:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 3, "x"), m.new_int_var(0, 3, "y")
    z = m.new_int_var(0, 9, "z")
    m.add_multiplication_equality(z, [x, y])
    with pytest.raises(TranslationError, match="int_prod"):
        translate(model_proto(m))


def test_a_domain_with_holes_is_an_error() -> None:
    m = cp_model.CpModel()
    m.new_int_var_from_domain(cp_model.Domain.from_values([1, 3, 5]), "x")
    with pytest.raises(TranslationError, match="holes"):
        translate(model_proto(m))


# --- the roster model: same stage optima as CP-SAT ---------------------------------------


def _stage_values(result) -> list[float]:
    return [s.objective for s in result.stages]


ROSTERS = {
    "community_a": community_a,
    "60x20 seed 1": lambda: generate_problem(60, 20, seed=1),
    "60x20 seed 2": lambda: generate_problem(60, 20, seed=2),
    "60x20 seed 3": lambda: generate_problem(60, 20, seed=3),
}


@pytest.mark.parametrize("name", list(ROSTERS))
def test_highs_reaches_the_optimum_of_every_stage(name: str) -> None:
    problem = ROSTERS[name]()
    params = SolverParams(time_limit=20)
    ours = solve(problem, params)
    assert ours.status == Status.OPTIMAL
    prepared = prepare(problem, params)
    run = solve_with_highs(problem, params, prepared=prepared)
    assert run.status == "OPTIMAL"
    assert [s.name for s in run.stages] == [s.name for s in ours.stages]
    assert [s.objective for s in run.stages] == _stage_values(ours)
    assert run.threads == THREADS == 1
    # CP-SAT's roster is a point of the MILP with CP-SAT's value in every stage.
    point = roster_values(problem, prepared, ours.assignments)
    assert point is not None and prepared.milp.violations(point) == 0
    assert [stage.value(point) for stage in prepared.stages] == _stage_values(ours)
    # HiGHS's roster keeps every CP-SAT constraint of the model, stage holds included.
    model, x, elig = prepared.rm.model, prepared.rm.variables, prepared.elig
    chosen = set(run.assignments)
    for p, var in enumerate(x.assign):
        if prepared.rm.pair_open[p]:
            model.add(var == int((int(elig.volunteer[p]), int(elig.need[p])) in chosen))
    for term, value in zip(prepared.rm.coverage, _stage_values(ours), strict=False):
        model.add(term.expression() >= round(value))
    assert cp_model.CpSolver().solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@pytest.mark.parametrize("name", ["community_a", "60x20 seed 2"])
def test_holding_coverage_by_counts_changes_no_optimum(name: str) -> None:
    problem = ROSTERS[name]()
    params = SolverParams(time_limit=20)
    prepared = prepare(problem, params)
    by_value = solve_with_highs(problem, params, prepared=prepared)
    by_counts = solve_with_highs(problem, params, prepared=prepared, hold_counts=True)
    assert by_counts.status == by_value.status == "OPTIMAL"
    assert [s.objective for s in by_counts.stages] == [s.objective for s in by_value.stages]


@pytest.mark.parametrize(
    ("name", "wishes_stage"),
    [
        ("community_a", False),
        ("60x20 seed 2", False),
        ("community_a", True),
        ("60x20 seed 2", True),
    ],
)
def test_lp_bounds_are_at_least_the_optimum(name: str, wishes_stage: bool) -> None:
    problem = ROSTERS[name]()
    params = SolverParams(time_limit=20, wishes_stage=wishes_stage)
    # The wishes stage (a per-pair count) sits between coverage and soft when on.
    names = ["coverage", "wishes", "soft"] if wishes_stage else ["coverage", "soft"]
    ours = solve(problem, params)
    held = _stage_values(ours)
    prepared = prepare(problem, params)
    pruned = lp_bounds(prepared.milp, prepared.stages, held)
    full = unpruned_bounds(
        problem, params, coverage_weights_by_priority(problem, prepared.rm), held
    )
    assert [b.name for b in pruned] == [b.name for b in full.stages] == names
    for bound, value in zip(pruned, held, strict=True):
        assert bound.bound is not None and bound.bound >= value
        # The design's claim: the LP of this model is tight (a valid but useless bound fails).
        assert bound.bound <= value + 0.005 * abs(value) + 1
    for bound, value in zip(full.stages, held, strict=True):
        assert bound.bound is not None and bound.bound >= value
        assert bound.bound <= value + 0.01 * abs(value) + 1
    assert full.pairs == ours.pairs  # nothing is pruned at this size


def test_the_unpruned_bound_bounds_the_pruned_and_the_full_optimum() -> None:
    problem = generate_problem(60, 20, seed=1)
    # Coverage then soft (the wishes stage is off): the bound's two stages are compared.
    pruned_params = SolverParams(
        time_limit=20, prune_above=0, candidate_limit=4, wishes_stage=False
    )
    pruned = solve(problem, pruned_params)
    full = solve(problem, SolverParams(time_limit=20, candidate_limit=0, wishes_stage=False))
    assert pruned.pruned_pairs > 0 and pruned.status == Status.FEASIBLE
    assert full.status == Status.OPTIMAL
    assert pruned.stages[0].gap == 0 and pruned.stages[1].gap == 0  # optimal for its model
    prepared = prepare(problem, pruned_params)
    weights = coverage_weights_by_priority(problem, prepared.rm)
    bound = unpruned_bounds(problem, pruned_params, weights, _stage_values(pruned))
    assert bound.pairs == pruned.pairs + pruned.pruned_pairs
    coverage, soft = (b.bound for b in bound.stages)
    assert coverage is not None and soft is not None
    assert coverage >= full.stages[0].objective >= pruned.stages[0].objective
    assert soft >= pruned.stages[1].objective
    if full.stages[0].objective == pruned.stages[0].objective:
        assert soft >= full.stages[1].objective


@pytest.mark.parametrize("wishes_stage", [False, True])
def test_stage_objectives_are_what_cp_sat_optimises(wishes_stage: bool) -> None:
    prepared = prepare(community_a(), SolverParams(wishes_stage=wishes_stage))
    model = prepared.rm.model
    for term, stage in zip(stage_terms(prepared.rm), prepared.stages, strict=True):
        model.maximize(term.expression())  # what solve() hands CP-SAT
        objective = model.proto.objective  # a live view: read it before clearing
        assert objective.scaling_factor == -1  # maximisation, stored negated
        expected = np.zeros(prepared.milp.cols)
        np.add.at(expected, list(objective.vars), -np.array(list(objective.coeffs)))
        model.clear_objective()
        assert np.array_equal(stage.cost(prepared.milp.cols), expected)
    names = ["coverage", "wishes", "soft"] if wishes_stage else ["coverage", "soft"]
    assert [s.name for s in prepared.stages] == names


# --- holding coverage by counts per priority ---------------------------------------------


def test_priority_counts_decode_the_lexicographic_weights() -> None:
    # Priorities 1, 2, 3 with 2, 1, 2 needs: weights 1, 3, 6 (a mixed radix).
    stage = StageObjective("coverage", np.arange(5), np.array([1.0, 1.0, 3.0, 6.0, 6.0]), 0.0)
    rows = priority_count_rows(stage, 6 + 3 + 1, 6 + 3 + 1)
    assert rows is not None
    assert [(r.cols.tolist(), r.lower, r.upper) for r in rows] == [
        ([3, 4], 1, 1),
        ([2], 1, 1),
        ([0, 1], 1, 1),
    ]
    rows = priority_count_rows(stage, 6 + 1, 12)  # value 7 reached, 12 proven at most
    assert rows is not None
    assert [(r.cols.tolist(), r.lower, r.upper) for r in rows] == [([3, 4], 1, 2)]
    # Every integer point with 7 <= value <= 12 keeps the rows; the rows are not void.
    for point in np.ndindex(2, 2, 2, 2, 2):
        x = np.array(point, dtype=float)
        value = stage.value(x)
        keeps = all(r.lower <= x[r.cols].sum() <= r.upper for r in rows)
        if 7 <= value <= 12:
            assert keeps
    assert priority_count_rows(stage, 0, 0) is not None
    not_a_radix = StageObjective("coverage", np.arange(3), np.array([1.0, 1.0, 2.0]), 0.0)
    assert priority_count_rows(not_a_radix, 2, 2) is None
    row = hold_row(stage, 10)
    assert row.lower == 10 and row.upper == np.inf


# --- GAP instances ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(5))
def test_highs_reaches_the_known_gap_optimum(k: int) -> None:
    instance = read_gap_file(INSTANCES / "gap1.txt")[k]
    value, run = solve_gap_with_highs(instance, time_limit=20)
    assert value == instance.known
    assert run.status == "OPTIMAL"


# --- time to the target gap ------------------------------------------------------------------


def test_cp_sat_time_to_gap() -> None:
    stages = [("coverage", 0.0), ("soft", 0.004)]
    events = [
        ("coverage", 90.0, 100.0, 1.0),
        ("coverage", 100.0, 100.0, 2.0),
        ("soft", 50.0, 60.0, 3.0),
        ("soft", 59.8, 60.0, 4.0),  # gap 0.33%
    ]
    assert cp_sat_time_to_gap(events, stages, 9.0) == (4.0, True)
    # No roster within the gap in the last stage, but it ended within it: the end, inexact.
    assert cp_sat_time_to_gap(events[:3], stages, 9.0) == (9.0, False)
    # An earlier stage that ended outside the target: never.
    assert cp_sat_time_to_gap(events, [("coverage", 0.01), ("soft", 0.0)], 9.0) == (None, True)
    assert cp_sat_time_to_gap(events[:3], [("coverage", 0.0), ("soft", 0.2)], 9.0) == (None, True)


def test_highs_time_to_gap_is_within_its_run() -> None:
    run = solve_with_highs(generate_problem(60, 20, seed=1), SolverParams(time_limit=20))
    assert run.time_to_gap is not None
    total = run.prepare_seconds + sum(s.runtime for s in run.stages)
    assert run.prepare_seconds < run.time_to_gap <= total + 1e-9
    for stage in run.stages:
        assert stage.time_to_gap is not None and 0 <= stage.time_to_gap <= stage.runtime + 1e-9


def test_the_gap_clock_reads_highs_bounds() -> None:
    from benchmarks.timing import GapClock

    clock = GapClock(0.005)
    event = types.SimpleNamespace(
        data_out=types.SimpleNamespace(mip_primal_bound=-np.inf, mip_dual_bound=100.0)
    )
    clock(event)
    assert clock.reached is None
    event.data_out.mip_primal_bound = 99.0
    clock(event)
    assert clock.reached is None  # 1% off
    event.data_out.mip_primal_bound = 99.6
    clock(event)
    assert clock.reached is not None


# --- the unpruned bound by column generation --------------------------------------------------


def test_the_unpruned_bound_is_skipped_above_the_pair_limit() -> None:
    problem = generate_problem(60, 20, seed=1)
    prepared = prepare(problem, SolverParams())
    weights = coverage_weights_by_priority(problem, prepared.rm)
    bound = unpruned_bounds(
        problem, SolverParams(), weights, [0.0], max_pairs=10, kept=prepared.elig
    )
    assert bound.skipped and bound.stages == [] and bound.pairs == prepared.elig.size


def test_column_generation_reaches_the_lp_optimum() -> None:
    problem = generate_problem(60, 20, seed=1)
    # Two stages, coverage and soft, as the rounds below count them.
    params = SolverParams(time_limit=20, prune_above=0, candidate_limit=4, wishes_stage=False)
    ours = solve(problem, params)
    prepared = prepare(problem, params)
    weights = coverage_weights_by_priority(problem, prepared.rm)
    held = _stage_values(ours)
    plain = unpruned_bounds(problem, params, weights, held)
    priced = unpruned_bounds(problem, params, weights, held, kept=prepared.elig)
    assert [b.rounds for b in plain.stages] == [1, 1]
    assert any(b.rounds > 1 for b in priced.stages)  # columns were priced in
    for a, b in zip(plain.stages, priced.stages, strict=True):
        assert a.bound is not None and b.bound is not None
        assert b.bound == pytest.approx(a.bound, abs=1.0)


def test_the_lagrangian_bound_holds_for_any_prices() -> None:
    from benchmarks.lp_bounds import lagrangian_bound

    problem = generate_problem(60, 20, seed=2)
    prepared = prepare(problem, SolverParams(wishes_stage=False))  # stages[1] is the soft stage
    milp, stage = prepared.milp, prepared.stages[1]
    optimum = lp_bounds(milp, [stage], [])[0].lp_value
    assert optimum is not None
    matrix = milp.matrix()
    entry_row = np.repeat(np.arange(milp.rows), np.diff(matrix[2]))
    rng = np.random.default_rng(0)
    for scale in (0.0, 0.1, 1.0, 10.0):
        prices = scale * rng.standard_normal(milp.rows)
        bound, _ = lagrangian_bound(
            stage.cost(milp.cols),
            stage.offset,
            (milp.col_lower, milp.col_upper),
            matrix,
            entry_row,
            prices,
        )
        assert bound >= optimum - 1e-6
