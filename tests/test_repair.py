"""Minimal-change repair: after a cancellation only what covers the gap moves, history stays.

Every repaired roster is checked by :mod:`matcher.check`, the independent checker.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from matcher.check import check_roster
from matcher.domain import Assignment, Problem
from matcher.errors import DataError
from matcher.generate import generate_problem
from matcher.io import load_dataset, read_roster
from matcher.params import SolverParams
from matcher.repair import DIFF_COLUMNS, ChangeKind, Repair, repair, write_repair
from matcher.result import Result, Status
from matcher.solver import solve

SAMPLE = Path(__file__).resolve().parent.parent / "datasets" / "community_a"
PARAMS = SolverParams(time_limit=20)


@pytest.fixture(scope="module")
def sample() -> tuple[Problem, Result]:
    problem = load_dataset(SAMPLE)
    result = solve(problem, PARAMS)
    assert result.status == Status.OPTIMAL
    return problem, result


@pytest.fixture(scope="module")
def gap_repair(sample: tuple[Problem, Result]) -> tuple[str, Repair]:
    """The sample repaired after one volunteer who leaves a gap cancelled."""
    problem, result = sample
    gone = _leaves_a_gap(problem, result)
    return gone, repair(problem, result.assignments, [gone], PARAMS)


def _pairs(assignments: tuple[Assignment, ...] | list[Assignment]) -> set[tuple[str, str]]:
    return {(a.need_id, a.volunteer_id) for a in assignments}


def _staffed(problem: Problem, assignments: tuple[Assignment, ...]) -> dict[int, int]:
    """Staffed needs per priority."""
    teams: dict[str, int] = {}
    for a in assignments:
        teams[a.need_id] = teams.get(a.need_id, 0) + 1
    counts = dict.fromkeys(range(1, 6), 0)
    for need in problem.needs:
        if teams.get(need.id, 0) >= need.min_volunteers:
            counts[need.priority] += 1
    return counts


def _leaves_a_gap(problem: Problem, result: Result) -> str:
    """A volunteer whose leaving takes one need below its minimum (no must-cover, no pin)."""
    teams: dict[str, list[str]] = {}
    for a in result.assignments:
        teams.setdefault(a.need_id, []).append(a.volunteer_id)
    pinned = {p.volunteer_id for p in problem.pins}
    for need in problem.needs:
        team = teams.get(need.id, [])
        if len(team) == need.min_volunteers and not need.must_cover:
            for volunteer_id in team:
                if volunteer_id not in pinned:
                    return volunteer_id
    raise AssertionError("no volunteer of the sample leaves a gap")


def test_one_cancellation_changes_only_what_covers_the_gap(
    sample: tuple[Problem, Result], gap_repair: tuple[str, Repair]
) -> None:
    problem, result = sample
    gone, repaired = gap_repair
    after = repaired.result
    assert after.has_roster
    assert check_roster(repaired.problem, after.assignments, PARAMS.travel_minutes_default) == []
    assert gone not in {a.volunteer_id for a in after.assignments}

    # the needs the cancelled volunteer left, and how many each still has
    left = {a.need_id for a in result.assignments if a.volunteer_id == gone}
    remaining = {
        n: sum(1 for a in result.assignments if a.need_id == n and a.volunteer_id != gone)
        for n in left
    }
    gaps = {n for n in left if remaining[n] < problem.need(n).min_volunteers}
    assert gaps
    before, now = _pairs(result.assignments), _pairs(after.assignments)
    added = now - before
    removed = before - now
    # nothing moved but the cancelled volunteer's assignments and the gap's cover
    assert {v for _n, v in removed} <= {gone} | {v for _n, v in added}
    assert {n for n, _v in added} <= gaps
    need_added = sum(problem.need(n).min_volunteers - remaining[n] for n in gaps)
    assert len(added) == need_added
    # and coverage is back where it was: the gap is covered
    assert _staffed(problem, after.assignments) == _staffed(problem, result.assignments)

    # the diff says so, with reasons
    kinds = {(c.kind, c.volunteer_id, c.need_id) for c in repaired.changes}
    assert {(ChangeKind.REMOVED, gone, n) for n in left} <= kinds
    assert all(c.reason for c in repaired.changes)
    report = after.reference
    assert report is not None and not report.fresh
    assert report.removed == len(left) and report.added == len(added)
    assert report.kept == len(result.assignments) - len(left)
    assert report.volunteers == 1 + len(added)
    assert after.runtime < 10  # the sub-second target is measured in the benchmark


def test_a_fresh_plan_changes_far_more(
    sample: tuple[Problem, Result], gap_repair: tuple[str, Repair]
) -> None:
    problem, result = sample
    gone, repaired = gap_repair
    stable = repaired.result.reference
    fresh = repair(problem, result.assignments, [gone], PARAMS, fresh=True).result.reference
    assert stable is not None and fresh is not None and fresh.fresh
    assert fresh.volunteers > 3 * stable.volunteers


def test_re_solving_the_same_data_keeps_the_plan(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
    again = repair(problem, result.assignments, [], PARAMS)
    assert set(again.result.assignments) == set(result.assignments)
    assert again.changes == ()
    assert again.result.objective_terms["changes"] == 0
    assert again.result.objective == result.objective


def test_history_stays_pinned(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
    days = sorted({a.date for a in result.assignments if a.date})
    cut = days[1]
    # a volunteer with work both before the cut and after it
    by_volunteer: dict[str, list[Assignment]] = {}
    for a in result.assignments:
        by_volunteer.setdefault(a.volunteer_id, []).append(a)
    gone = next(
        v
        for v, mine in by_volunteer.items()
        if any(a.date and a.date < cut for a in mine)
        and any(a.date is None or a.date >= cut for a in mine)
        and v not in {p.volunteer_id for p in problem.pins}
    )
    repaired = repair(problem, result.assignments, [gone], PARAMS, frozen_before=cut)
    after = repaired.result
    assert check_roster(repaired.problem, after.assignments, 10) == []
    history = {
        (a.need_id, a.volunteer_id, a.start) for a in result.assignments if a.date and a.date < cut
    }
    assert history == {
        (a.need_id, a.volunteer_id, a.start) for a in after.assignments if a.date and a.date < cut
    }
    mine_after = [a for a in after.assignments if a.volunteer_id == gone]
    assert mine_after and all(a.date is not None and a.date < cut for a in mine_after)


def test_unknown_cancelled_volunteer_is_refused(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
    with pytest.raises(DataError) as error:
        repair(problem, result.assignments, ["V9999"], PARAMS)
    [issue] = error.value.issues
    assert issue.file == "--cancel" and "V9999" in issue.message


def test_write_repair_writes_the_roster_and_its_diff(
    gap_repair: tuple[str, Repair], tmp_path: Path
) -> None:
    _gone, repaired = gap_repair
    written = {p.name for p in write_repair(repaired, tmp_path)}
    assert {"roster.csv", "diff.csv", "summary.json"} <= written
    assert _pairs(read_roster(tmp_path / "roster.csv")) == _pairs(repaired.result.assignments)
    lines = (tmp_path / "diff.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == list(DIFF_COLUMNS)
    assert len(lines) == 1 + len(repaired.changes)
    assert not list(tmp_path.glob(".writing-*"))


@pytest.mark.parametrize("seed", range(4))
def test_repaired_rosters_pass_the_checker(seed: int) -> None:
    problem = generate_problem(50, 16, seed=seed)
    params = SolverParams(time_limit=10)
    result = solve(problem, params)
    assert result.has_roster
    rostered = sorted({a.volunteer_id for a in result.assignments})
    chosen = random.Random(seed).sample(rostered, min(3, len(rostered)))
    since = min((d for d in problem.horizon.service_days), default=None)
    frozen = since + dt.timedelta(days=1) if seed % 2 and since else None
    repaired = repair(problem, result.assignments, chosen, params, frozen_before=frozen)
    if not repaired.result.has_roster:
        # e.g. a must-cover need lost the only volunteer who could do it
        assert repaired.result.status == Status.INFEASIBLE
        return
    assert check_roster(repaired.problem, repaired.result.assignments, 10) == []
    for a in repaired.result.assignments:
        if a.volunteer_id in chosen:  # only their history stays
            assert frozen is not None and a.date is not None and a.date < frozen
