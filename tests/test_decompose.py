"""Independent parts: finding them, cutting out their problems, solving and merging."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from matcher.check import check_roster
from matcher.decompose import ProblemRows, find_parts, part_problem
from matcher.domain import Pair, Pin, Problem, Skill, Travel, Volunteer
from matcher.eligibility import build_eligibility, find_candidates
from matcher.generate import generate_problem
from matcher.params import SolverParams
from matcher.result import Status
from matcher.solver import solve
from matcher.solver.model import build_model
from matcher.solver.objective import Standing, pair_scores, separable_soft_bound
from tests.test_solver import need, problem, volunteer

FAR = (
    Travel("东区", "西区", 30),
    Travel("东区", "北区", 30),
    Travel("西区", "北区", 30),
)


def two_areas(*more_volunteers: Volunteer, **changes) -> Problem:
    """Two volunteers at home in 东区, two in 西区, none of them travels 30 minutes.

    N1, N2 are in 东区, N3 in 西区; N4 asks for a skill nobody has; N5 is in
    北区, too far for everyone.
    """
    vols = [
        volunteer(1, home_area="东区", max_travel=10),
        volunteer(2, home_area="东区", max_travel=10),
        volunteer(3, home_area="西区", max_travel=10),
        volunteer(4, home_area="西区", max_travel=10),
        *more_volunteers,
    ]
    needs = [
        need(1, area="东区", priority=5),
        need(2, area="东区", start=660, end=720, max_volunteers=2),
        need(3, area="西区", max_volunteers=2),
        need(4, area="东区", skills=(Skill("手语"),)),
        need(5, area="北区", priority=4),
    ]
    base = dict(travel=FAR)
    base.update(changes)
    return problem(vols, needs, **base)


def test_parts_follow_the_travel_limits() -> None:
    p = two_areas()
    parts = find_parts(find_candidates(p).volunteers, len(p.volunteers))
    assert [(part.needs.tolist(), part.volunteers.tolist(), part.pairs) for part in parts] == [
        ([0, 1], [0, 1], 4),
        ([2], [2, 3], 2),
    ]
    # One volunteer without a limit joins everything near anyone.
    free = two_areas(volunteer(5))
    parts = find_parts(find_candidates(free).volunteers, len(free.volunteers))
    assert len(parts) == 1 and parts[0].needs.tolist() == [0, 1, 2, 4]


def test_a_long_chain_is_one_part() -> None:
    # Volunteer i reaches needs i - 1, i and i + 1: one part, however long the chain.
    count = 200
    areas = [f"A{i}" for i in range(count + 1)]
    travel = tuple(Travel(areas[i], areas[i + 1], 5) for i in range(count))
    vols = [volunteer(i, home_area=areas[i], max_travel=5) for i in range(count)]
    # Unlisted pairs of areas are the default 10 minutes apart: beyond reach.
    needs = [need(i, area=areas[i]) for i in range(count + 1)]
    p = problem(vols, needs, travel=travel)
    parts = find_parts(find_candidates(p).volunteers, len(p.volunteers))
    assert len(parts) == 1 and parts[0].pairs == 3 * count - 1


def test_part_problem_holds_only_its_own_rows() -> None:
    p = two_areas(
        pairs=(Pair("V3", need_id="N3", affinity=2), Pair("V1", need_id="N1", forbidden=False)),
        pins=(Pin("V1", "N1"),),
    )
    parts = find_parts(find_candidates(p).volunteers, len(p.volunteers))
    west = part_problem(ProblemRows(p), parts[1], 2)
    assert [v.id for v in west.volunteers] == ["V3", "V4"]
    assert [n.id for n in west.needs] == ["N3"]
    assert {w.volunteer_id for w in west.availability} == {"V3", "V4"}
    assert west.pairs == (Pair("V3", need_id="N3", affinity=2),)
    assert west.pins == ()
    assert west.travel is p.travel and west.horizon is p.horizon
    assert west.name.endswith("part 2")


def test_parts_are_solved_apart_and_merged() -> None:
    p = two_areas()
    progress: list[str] = []
    result = solve(p, SolverParams(time_limit=20), progress=lambda s, o, b, t: progress.append(s))
    assert result.status == Status.OPTIMAL and result.gap == 0
    assert check_roster(p, result.assignments) == []
    assert {a.need_id for a in result.assignments} == {"N1", "N2", "N3"}
    assert [s.name for s in result.stages] == ["coverage", "soft"]
    assert any("(part 1 of 2)" in s for s in progress)
    assert any("(part 2 of 2)" in s for s in progress)
    assert result.pairs == 6 and result.pruned_pairs == 0
    reasons = {u.need_id: [r.code for r in u.reasons] for u in result.unmet}
    assert reasons["N4"] == ["no_skill"]
    assert reasons["N5"] == ["too_far"]
    [far] = [u for u in result.unmet if u.need_id == "N5"]
    assert "the 4 qualified volunteers live too far away" in far.reasons[0].message
    # Unstaffed first, higher priority first.
    assert [u.need_id for u in result.unmet] == ["N5", "N4"]


def test_decomposed_solve_equals_one_model() -> None:
    p = generate_problem(300, 90, seed=1, areas=4, city=True)
    # Flexible needs keep a buffer of the longest travel into their place, which
    # is shorter inside a part than across the city; fix their start to compare.
    fixed = [
        dataclasses.replace(n, end=n.start + n.duration) if n.is_flexible else n for n in p.needs
    ]
    p = p.replace(needs=tuple(fixed))
    assert len(find_parts(find_candidates(p).volunteers, len(p.volunteers))) > 1
    apart = solve(p, SolverParams(time_limit=30))
    whole = solve(p, SolverParams(time_limit=30, decompose=False))
    assert apart.status == whole.status == Status.OPTIMAL
    assert apart.objective == whole.objective
    assert apart.coverage_score == whole.coverage_score
    assert apart.objective_terms["coverage"] == whole.objective_terms["coverage"]
    assert len({a.need_id for a in apart.assignments}) == len(
        {a.need_id for a in whole.assignments}
    )
    assert check_roster(p, apart.assignments) == []
    assert apart.pairs == whole.pairs


def test_soft_scores_of_a_part_are_those_of_the_whole() -> None:
    # The behind bonus compares with the median of everyone's past minutes.
    p = generate_problem(300, 90, seed=1, areas=4, city=True)
    weights = SolverParams().weights
    whole = build_eligibility(p)
    whole_scores = pair_scores(p, whole, weights)
    standing = Standing.of(p)
    rows = ProblemRows(p)
    for part in find_parts(find_candidates(p).volunteers, len(p.volunteers)):
        sub = part_problem(rows, part)
        elig = build_eligibility(sub)
        scores = pair_scores(sub, elig, weights, standing.subset(part.volunteers))
        assert set(scores) == set(whole_scores)
        for q in range(elig.size):
            v = sub.volunteers[int(elig.volunteer[q])].id
            n = sub.needs[int(elig.need[q])].id
            w = whole.pair_index[(p.volunteer_index[v], p.need_index[n])]
            assert {k: int(s[q]) for k, s in scores.items()} == {
                k: int(s[w]) for k, s in whole_scores.items()
            }


def test_a_pruned_part_makes_the_whole_feasible_only() -> None:
    p = generate_problem(300, 90, seed=1, areas=4, city=True)
    result = solve(p, SolverParams(time_limit=30, candidate_limit=5, prune_above=0))
    assert result.status == Status.FEASIBLE
    assert result.pruned_pairs > 0
    assert "independent parts not proven optimal" in result.message
    assert "candidate limit" in result.message
    assert check_roster(p, result.assignments) == []


def test_stopped_before_start_keeps_a_valid_roster_in_every_part() -> None:
    p = two_areas()
    stop = threading.Event()
    stop.set()
    result = solve(p, SolverParams(time_limit=20), stop=stop)
    assert result.status == Status.FEASIBLE
    assert result.has_roster and check_roster(p, result.assignments) == []
    assert {a.need_id for a in result.assignments} >= {"N1", "N3"}  # the greedy roster
    assert "stopped" in result.message


def test_must_cover_need_nobody_can_reach_is_infeasible() -> None:
    p = two_areas()
    needs = tuple(dataclasses.replace(n, must_cover=n.id == "N5") for n in p.needs)
    result = solve(p.replace(needs=needs), SolverParams(time_limit=20))
    assert result.status == Status.INFEASIBLE and result.assignments == ()
    assert "must-cover needs nobody can staff: N5" in result.message
    reasons = {u.need_id: u.reasons[0].code for u in result.unmet}
    assert reasons["N5"] == "too_far" and reasons["N1"] == "no_roster"


def test_infeasible_part_makes_the_whole_infeasible() -> None:
    p = two_areas()
    # Three volunteers needed in 西区, where only two live.
    needs = tuple(
        dataclasses.replace(n, must_cover=True, min_volunteers=3, max_volunteers=3)
        if n.id == "N3"
        else n
        for n in p.needs
    )
    result = solve(p.replace(needs=needs), SolverParams(time_limit=20))
    assert result.status == Status.INFEASIBLE and result.assignments == ()
    assert result.message.startswith("part ") and "N3" in result.message
    [n3] = [u for u in result.unmet if u.need_id == "N3"]
    assert n3.reasons[0].code == "too_few_eligible"


@pytest.mark.parametrize("decompose", [True, False])
def test_pins_are_checked_with_the_whole_problems_rows(decompose: bool) -> None:
    from matcher.errors import DataError

    p = two_areas(pins=(Pin("V1", "N1"), Pin("V3", "N1")))
    with pytest.raises(DataError) as info:
        solve(p, SolverParams(time_limit=5, decompose=decompose))
    [issue] = info.value.issues
    assert issue.row == 3 and "lives farther from the need than their max_travel" in issue.message


def test_bound_without_solver_holds_for_the_optimum() -> None:
    p = generate_problem(300, 90, seed=2, areas=4, city=True)
    params = SolverParams(time_limit=30, decompose=False)
    elig = build_eligibility(p)
    rm = build_model(p, elig, params)
    bound = separable_soft_bound(
        p,
        elig.volunteer[rm.pair_open],
        elig.need[rm.pair_open],
        rm.gain[rm.pair_open],
        params.weights,
    )
    result = solve(p, params)
    assert result.status == Status.OPTIMAL
    soft = result.stages[-1].objective
    assert soft <= bound < 2 * soft


def test_soft_values_without_a_model_are_the_models() -> None:
    from matcher.baselines import greedy_roster
    from matcher.solver.objective import soft_values
    from matcher.solver.solution import Solution

    p = generate_problem(300, 90, seed=1, areas=4, city=True)
    params = SolverParams()
    elig = build_eligibility(p)
    rm = build_model(p, elig, params)
    greedy = Solution.from_placements(elig, rm, greedy_roster(p, elig))
    roster = greedy.filled(p, elig, rm.gain, params)
    assert roster.assign.sum() > greedy.assign.sum()  # filling added someone
    scores = pair_scores(p, elig, params.weights)
    expected = {t.name: roster.value(t, rm) for t in rm.soft}
    assert {"fill", "fairness"} <= set(expected)
    assert soft_values(p, elig, params.weights, scores, roster.assign, rm.open_needs) == expected
