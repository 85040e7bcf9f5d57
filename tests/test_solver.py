"""Solver behaviour on small hand-made problems, each verified by the checker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import pytest

from matcher.calendar import build_horizon
from matcher.check import check_roster
from matcher.domain import (
    AvailabilityWindow,
    Department,
    Gender,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Pin,
    Problem,
    Role,
    Skill,
    Travel,
    Volunteer,
)
from matcher.params import SolverParams
from matcher.result import Status
from matcher.solver import solve

SAT = dt.date(2026, 9, 19)
MAKEUP_SUN = dt.date(2026, 9, 20)
HORIZON = build_horizon(dt.date(2026, 9, 19), dt.date(2026, 9, 27))


def volunteer(i: int, **changes) -> Volunteer:
    base = dict(
        id=f"V{i}",
        name=f"志愿者{i}",
        role=Role.STUDENT,
        membership=Membership.LEAGUE,
        department="装备制造学院",
        skills=(),
        languages=("普通话",),
        gender=Gender.MALE,
        max_shifts=3,
        max_minutes=600,
    )
    base.update(changes)
    return Volunteer(**base)


def need(i: int, **changes) -> Need:
    base = dict(
        id=f"N{i}",
        title=f"需求{i}",
        category=NeedCategory.CLEAN_UP,
        duration=60,
        date=SAT,
        start=540,
        end=600,
        min_volunteers=1,
        max_volunteers=1,
        priority=3,
    )
    base.update(changes)
    return Need(**base)


def problem(volunteers, needs, **changes) -> Problem:
    availability = tuple(
        AvailabilityWindow(volunteer_id=v.id, start=480, end=1080, weekday=6) for v in volunteers
    )
    base = dict(
        horizon=HORIZON,
        volunteers=tuple(volunteers),
        needs=tuple(needs),
        availability=availability,
        departments=(Department("装备制造学院"), Department("自动控制学院")),
    )
    base.update(changes)
    return Problem(**base)


def solved(p: Problem, **params):
    result = solve(p, SolverParams(time_limit=10, **params))
    if result.has_roster:
        assert check_roster(p, result.assignments) == []
    return result


def staffed(result, need_id: str) -> int:
    return len(result.assignments_of(need_id))


def test_higher_priority_strictly_first():
    # One volunteer, one priority-5 need against three overlapping priority-4 needs.
    vols = [volunteer(1, max_shifts=3)]
    needs = [need(1, priority=5)] + [need(i, priority=4) for i in (2, 3, 4)]
    result = solved(problem(vols, needs))
    assert result.status == Status.OPTIMAL
    assert staffed(result, "N1") == 1


def test_many_low_never_beat_one_high():
    # Two volunteers: either both go to a priority-5 need (min 2) or each covers a priority-4 need.
    vols = [volunteer(1), volunteer(2)]
    needs = [
        need(1, priority=5, min_volunteers=2, max_volunteers=2),
        need(2, priority=4),
        need(3, priority=4),
    ]
    result = solved(problem(vols, needs))
    assert staffed(result, "N1") == 2
    assert staffed(result, "N2") == staffed(result, "N3") == 0


def test_min_or_nothing():
    vols = [volunteer(1), volunteer(2)]
    needs = [need(1, min_volunteers=3, max_volunteers=4)]
    result = solved(problem(vols, needs))
    assert result.assignments == ()
    (unmet,) = result.unmet
    assert unmet.reasons[0].code == "too_few_eligible"


def test_lead_and_joint_departments_and_language():
    vols = [
        volunteer(1),
        volunteer(2, department="自动控制学院"),
        volunteer(
            3, role=Role.TEACHER, membership=Membership.PARTY, languages=("普通话", "柳州话")
        ),
        volunteer(4),
    ]
    needs = [
        need(
            1,
            min_volunteers=2,
            max_volunteers=3,
            lead_required=True,
            joint_departments=("装备制造学院", "自动控制学院"),
            required_languages=("柳州话",),
        )
    ]
    result = solved(problem(vols, needs))
    team = {a.volunteer_id for a in result.assignments}
    assert "V3" in team and "V2" in team
    leads = [a.volunteer_id for a in result.assignments if a.role == "lead"]
    assert leads == ["V3"]


def test_team_rule_nobody_can_meet_is_explained():
    vols = [volunteer(1), volunteer(2)]
    needs = [need(1, lead_required=True)]
    result = solved(problem(vols, needs))
    assert result.assignments == ()
    assert result.unmet[0].reasons[0].code == "team_rule"


def test_travel_time_between_places_blocks_back_to_back():
    vols = [volunteer(1)]
    needs = [
        need(1, start=540, end=600, location="广场", priority=4),
        need(2, start=605, end=665, location="养老院", priority=3),
    ]
    far = problem(vols, needs, travel=(Travel("广场", "养老院", 30),))
    result = solved(far)
    assert staffed(result, "N1") == 1 and staffed(result, "N2") == 0
    near = problem(vols, needs, travel=(Travel("广场", "养老院", 5),))
    result = solved(near)
    assert staffed(result, "N1") == 1 and staffed(result, "N2") == 1


def test_flexible_need_moves_around_a_fixed_one():
    vols = [volunteer(1)]
    needs = [
        need(1, start=540, end=600, priority=5),
        need(2, start=540, end=720, duration=60, priority=4),  # flexible, 09:00-12:00
    ]
    result = solved(problem(vols, needs))
    flexible = result.assignments_of("N2")
    assert len(flexible) == 1
    assert flexible[0].start >= 600 + 0  # same (empty) place: no travel


def test_student_not_on_makeup_day_and_teacher_is():
    vols = [volunteer(1), volunteer(2, role=Role.TEACHER)]
    availability = tuple(
        AvailabilityWindow(volunteer_id=v.id, start=480, end=1080, date=MAKEUP_SUN) for v in vols
    )
    needs = [need(1, date=MAKEUP_SUN, min_volunteers=1, max_volunteers=2)]
    opened = build_horizon(HORIZON.start, HORIZON.end, extra_days=[MAKEUP_SUN])
    result = solved(problem(vols, needs, availability=availability, horizon=opened))
    assert {a.volunteer_id for a in result.assignments} == {"V2"}
    closed = solved(problem(vols, needs, availability=availability))
    assert closed.assignments == ()
    assert closed.unmet[0].reasons[0].code == "not_service_day"


def test_caps_hours_with_travel_minutes():
    vols = [volunteer(1, max_minutes=100)]
    needs = [need(1, start=540, end=600, priority=4), need(2, start=660, end=720, priority=3)]
    pairs = (Pair(volunteer_id="V1", need_id="N2", extra_minutes=50),)
    result = solved(problem(vols, needs, pairs=pairs))
    assert staffed(result, "N1") == 1 and staffed(result, "N2") == 0
    reasons = {r.code for r in result.unmet[0].reasons}
    assert reasons == {"cap"}


def test_forbidden_pair_and_pin():
    vols = [volunteer(1), volunteer(2)]
    needs = [need(1), need(2, start=660, end=720)]
    pairs = (Pair(volunteer_id="V1", need_id="N1", forbidden=True),)
    pins = (Pin(volunteer_id="V1", need_id="N2"),)
    result = solved(problem(vols, needs, pairs=pairs, pins=pins))
    assert ("N1", "V1") not in {(a.need_id, a.volunteer_id) for a in result.assignments}
    assert ("N2", "V1") in {(a.need_id, a.volunteer_id) for a in result.assignments}


def test_must_cover_that_nobody_can_staff_is_infeasible_with_a_message():
    vols = [volunteer(1)]
    needs = [need(1, skills=(Skill("手语"),), must_cover=True), need(2)]
    result = solved(problem(vols, needs))
    assert result.status == Status.INFEASIBLE
    assert result.assignments == ()
    assert "N1" in result.message


def test_must_cover_wins_over_priority():
    vols = [volunteer(1)]
    needs = [need(1, priority=1, must_cover=True), need(2, priority=5)]
    result = solved(problem(vols, needs))
    assert staffed(result, "N1") == 1


def test_stop_event_before_start_returns_no_crash():
    vols = [volunteer(i) for i in range(5)]
    needs = [need(i, start=540 + 60 * (i % 4), end=600 + 60 * (i % 4)) for i in range(8)]
    stop = threading.Event()
    stop.set()
    result = solve(problem(vols, needs), SolverParams(time_limit=5), stop=stop)
    assert result.status in (Status.UNKNOWN, Status.FEASIBLE)


def test_tiny_time_limit_still_returns_a_result():
    vols = [volunteer(i) for i in range(30)]
    needs = [need(i, start=540 + 30 * (i % 10), end=600 + 30 * (i % 10)) for i in range(40)]
    result = solve(problem(vols, needs), SolverParams(time_limit=0.05))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE, Status.UNKNOWN)
    if result.has_roster:
        assert check_roster(problem(vols, needs), result.assignments) == []
    assert result.runtime < 5


@pytest.mark.parametrize("workers", [1, 2])
def test_result_carries_bound_and_gap(workers):
    vols = [volunteer(i, skills=(Skill("理发"),) if i % 3 == 0 else ()) for i in range(12)]
    needs = [
        need(i, start=540 + 60 * (i % 5), end=600 + 60 * (i % 5), priority=1 + i % 5)
        for i in range(15)
    ]
    result = solved(problem(vols, needs), workers=workers)
    assert result.status == Status.OPTIMAL
    assert result.gap == pytest.approx(0.0)
    assert result.bound == pytest.approx(result.objective)
    assert [s.name for s in result.stages] == ["coverage", "soft"]


def test_stopped_before_start_keeps_a_valid_greedy_roster():
    vols = [volunteer(i) for i in range(4)]
    needs = [need(i, start=540 + 60 * i, end=600 + 60 * i) for i in range(3)]
    p = problem(vols, needs)
    stop = threading.Event()
    stop.set()
    result = solve(p, SolverParams(time_limit=5), stop=stop)
    assert result.status == Status.FEASIBLE
    assert len({a.need_id for a in result.assignments}) == 3
    assert check_roster(p, result.assignments) == []
    assert result.bound >= result.objective


def test_greedy_that_misses_a_must_cover_need_is_never_returned():
    # Greedy gives the only skilled volunteer to M1 and leaves must-cover M2 empty.
    vols = [volunteer(1, skills=(Skill("理发"),)), volunteer(2)]
    needs = [
        need(1, skills=(Skill("理发"),), must_cover=True, priority=5),
        need(2, start=660, end=720, skills=(Skill("理发"),), must_cover=True, priority=1),
        need(3, start=660, end=720, skills=(Skill("理发"),), priority=5),
    ]
    p = problem([dataclasses.replace(vols[0], max_shifts=1), vols[1]], needs)
    stop = threading.Event()
    stop.set()
    result = solve(p, SolverParams(time_limit=5), stop=stop)
    assert result.status == Status.UNKNOWN
    assert result.assignments == ()
    assert all(r.code == "no_roster" for u in result.unmet for r in u.reasons if u.eligible)


def test_gap_limit_never_reports_optimal_with_an_open_gap():
    from matcher.generate import generate_problem

    p = generate_problem(150, 50, seed=4)
    result = solve(p, SolverParams(time_limit=20, relative_gap=0.5))
    for stage in result.stages:
        if stage.status == Status.OPTIMAL:
            assert stage.objective == pytest.approx(stage.bound)
    if result.status == Status.OPTIMAL:
        assert result.gap == 0


def test_stop_during_the_solve_returns_soon_with_a_valid_roster():
    from matcher.generate import generate_problem

    p = generate_problem(1500, 450, seed=6)
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    started = time.perf_counter()
    result = solve(p, SolverParams(time_limit=120), stop=stop)
    timer.cancel()
    # Generous bound: model building is not interruptible, CP-SAT stops within moments.
    assert time.perf_counter() - started < 60
    assert result.has_roster
    assert check_roster(p, result.assignments) == []


@pytest.mark.parametrize("decompose", [True, False])
def test_must_cover_conflict_names_the_smallest_set_and_the_volunteer(decompose):
    # N1 and N2 both need the only sign-language (手语) volunteer V1 at the same
    # time; N3 and N4 are must-cover too, and fine on their own.
    vols = [
        volunteer(1, skills=(Skill("手语"),)),
        volunteer(2, skills=(Skill("理发"),)),
        volunteer(3, skills=(Skill("急救"),)),
    ]
    needs = [
        need(3, skills=(Skill("理发"),), must_cover=True),
        need(1, skills=(Skill("手语"),), must_cover=True),
        need(4, skills=(Skill("急救"),), must_cover=True),
        need(2, skills=(Skill("手语"),), must_cover=True),
    ]
    result = solved(problem(vols, needs), decompose=decompose)
    assert result.status == Status.INFEASIBLE and result.assignments == ()
    conflict = result.conflict
    assert conflict is not None and conflict.minimal
    assert conflict.need_ids == ("N1", "N2")
    assert conflict.volunteer_ids == ("V1",) and conflict.pins == ()
    assert (
        "these must-cover needs cannot all be staffed: N1 需求1 2026-09-19 09:00-10:00, "
        "N2 需求2 2026-09-19 09:00-10:00; they compete for V1 志愿者1"
    ) in result.message
    assert "N3" not in result.message and "N4" not in result.message
    [n3] = [u for u in result.unmet if u.need_id == "N3"]
    assert (n3.candidates[0].volunteer_id, n3.candidates[0].code) == ("V2", "no_roster")


def test_must_cover_conflict_with_a_pin():
    # V1 is pinned to N3 at 09:00; must-cover N1 at the same time has only V1.
    vols = [volunteer(1, skills=(Skill("手语"),)), volunteer(2)]
    needs = [need(1, skills=(Skill("手语"),), must_cover=True), need(2, must_cover=True), need(3)]
    result = solved(problem(vols, needs, pins=(Pin("V1", "N3"),)), decompose=False)
    assert result.status == Status.INFEASIBLE
    assert result.conflict is not None
    assert result.conflict.need_ids == ("N1",) and result.conflict.pins == (("V1", "N3"),)
    assert "with the pins V1 on N3" in result.message


def test_a_feasible_run_has_no_conflict():
    result = solved(problem([volunteer(1)], [need(1, must_cover=True)]))
    assert result.status == Status.OPTIMAL and result.conflict is None


def test_the_deletion_filter_minimises_a_loose_core():
    # Whatever core CP-SAT returns (here: every assumption), dropping needs one
    # at a time leaves only the two that clash.
    from unittest import mock

    from matcher.solver import conflict

    original = conflict._Search.infeasible

    def loose(self, items):
        verdict, _ = original(self, items)
        return verdict, {item.literal for item in items}

    vols = [volunteer(1, skills=(Skill("手语"),)), volunteer(2), volunteer(3)]
    needs = [
        need(1, skills=(Skill("手语"),), must_cover=True),
        need(2, must_cover=True),
        need(3, skills=(Skill("手语"),), must_cover=True, start=570, end=630),
        need(4, must_cover=True),
    ]
    with mock.patch.object(conflict._Search, "infeasible", loose):
        result = solved(problem(vols, needs), decompose=False)
    assert result.conflict is not None and result.conflict.minimal
    assert result.conflict.need_ids == ("N1", "N3")
    assert result.conflict.volunteer_ids == ("V1",)
