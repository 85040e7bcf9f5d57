"""Explanations of unmet and short needs agree with the model's rules."""

from __future__ import annotations

import dataclasses
import datetime as dt

from matcher.calendar import build_horizon
from matcher.check import check_roster
from matcher.domain import (
    Assignment,
    AvailabilityWindow,
    Blackout,
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
from matcher.eligibility import build_eligibility
from matcher.explain import explain_unmet
from matcher.params import SolverParams
from matcher.solver import solve
from matcher.teams import Blocker, BlockerKind

SAT = dt.date(2026, 9, 19)
HORIZON = build_horizon(dt.date(2026, 9, 19), dt.date(2026, 9, 27))


def _volunteer(i: int) -> Volunteer:
    return Volunteer(
        id=f"V{i}",
        name=f"志愿者{i}",
        role=Role.STUDENT,
        membership=Membership.LEAGUE,
        department="装备制造学院",
        languages=("普通话",),
        gender=Gender.MALE,
        max_shifts=3,
        max_minutes=600,
    )


def _need(i: int, start: int, end: int, place: str, priority: int, **changes: object) -> Need:
    fields: dict = dict(
        id=f"N{i}",
        title=f"需求{i}",
        category=NeedCategory.CLEAN_UP,
        duration=60,
        date=SAT,
        start=start,
        end=end,
        location=place,
        priority=priority,
    )
    fields.update(changes)
    return Need(**fields)


def _problem(volunteers: list[Volunteer], needs: list[Need], **changes: object) -> Problem:
    fields: dict = dict(
        horizon=HORIZON,
        volunteers=tuple(volunteers),
        needs=tuple(needs),
        availability=tuple(
            AvailabilityWindow(volunteer_id=v.id, start=480, end=1080, weekday=6)
            for v in volunteers
        ),
    )
    fields.update(changes)
    return Problem(**fields)


def test_volunteer_blocked_by_the_flexible_buffer_is_not_still_free() -> None:
    # V1 is pinned to N1 (广场, until 10:00); N2 at 养老院 is flexible and pinned
    # to start at 10:10 with V2.  广场 -> 养老院 is 5 minutes, so V1 could walk
    # over in time, but the model keeps a buffer of the longest travel into
    # 养老院 (30 minutes, from 远处) around a flexible need: it never puts V1
    # on N2.  The explanation must say V1 went to N1, not that V1 was free.
    volunteers = [_volunteer(1), _volunteer(2)]
    needs = [
        _need(1, 540, 600, "广场", priority=4),
        _need(2, 600, 780, "养老院", priority=3, max_volunteers=2),  # flexible, 60 min
        _need(3, 900, 960, "远处", priority=2),
    ]
    problem = _problem(
        volunteers,
        needs,
        travel=(
            Travel("广场", "养老院", 5),
            Travel("远处", "养老院", 30),
            Travel("广场", "远处", 10),
        ),
        pins=(Pin("V1", "N1"), Pin("V2", "N2", start=610)),
    )
    result = solve(problem, SolverParams(time_limit=10))
    assert check_roster(problem, result.assignments) == []
    assert {a.volunteer_id for a in result.assignments_of("N2")} == {"V2"}
    [short] = [u for u in result.unmet if u.need_id == "N2"]
    codes = [r.code for r in short.reasons]
    assert codes == ["taken_higher"], short.reasons
    assert not any("still free" in r.message for r in short.reasons)


def test_blockers_are_read_as_typed_values() -> None:
    volunteers = [_volunteer(1)]
    needs = [_need(1, 540, 600, "广场", priority=3)]
    problem = _problem(volunteers, needs)
    elig = build_eligibility(problem)
    closed = {
        0: [
            Blocker(BlockerKind.NO_LEAD),
            Blocker(BlockerKind.NO_DEPARTMENT, department="自动控制学院"),
            Blocker(BlockerKind.NO_LANGUAGE, language="柳州话"),
        ]
    }
    [unmet] = explain_unmet(problem, elig, (), closed)
    assert [r.code for r in unmet.reasons] == ["team_rule"] * 3
    messages = [r.message for r in unmet.reasons]
    assert "no eligible volunteer from 自动控制学院 (joint activity)" in messages
    assert "no eligible volunteer speaks 柳州话" in messages


# --- the nearest volunteers: whom to call ------------------------------------------------


def _assign(problem: Problem, need_id: str, volunteer_id: str) -> Assignment:
    need = problem.need(need_id)
    return Assignment(need_id, volunteer_id, need.date, need.start, need.end)


def _nearest(problem: Problem, roster: tuple[Assignment, ...] = (), closed=None) -> dict:
    elig = build_eligibility(problem)
    unmet = explain_unmet(problem, elig, roster, closed or {})
    return {u.need_id: u.candidates for u in unmet}


def test_a_busy_volunteer_is_named_with_the_clash() -> None:
    volunteers = [_volunteer(1)]
    needs = [
        _need(1, 840, 960, "社区广场", priority=5, duration=120),
        _need(2, 900, 960, "养老院", priority=3),
    ]
    problem = _problem(volunteers, needs)
    result = solve(problem, SolverParams(time_limit=10))
    [short] = [u for u in result.unmet if u.need_id == "N2"]
    [v1] = short.candidates
    assert (v1.volunteer_id, v1.name, v1.department) == ("V1", "志愿者1", "装备制造学院")
    assert v1.code == "busy" and v1.rules_short == 1
    assert v1.message == "busy at N1 14:00-16:00 in 社区广场"
    assert (v1.shifts, v1.minutes) == (1, 120)
    assert short.reasons[0].code == "taken_higher"  # the counts stay as they were


def test_unavailable_volunteers_say_when_they_are_free() -> None:
    volunteers = [_volunteer(1), _volunteer(2), _volunteer(3)]
    needs = [_need(1, 540, 600, "广场", priority=3)]
    availability = (
        AvailabilityWindow("V2", 780, 1020, weekday=6),
        AvailabilityWindow("V3", 540, 600, weekday=7),
    )
    problem = _problem(volunteers, needs, availability=availability)
    candidates = _nearest(problem)["N1"]
    messages = {c.volunteer_id: c.message for c in candidates}
    assert {c.code for c in candidates} == {"unavailable"}
    assert messages["V1"] == "qualified but not available on 2026-09-19"
    assert messages["V2"] == "available 13:00-17:00 on 2026-09-19, which does not hold 09:00-10:00"
    assert messages["V3"] == "qualified but not available on 2026-09-19"


def test_one_rule_short_of_the_lead() -> None:
    # Students V1 and V2 are eligible but cannot lead; teacher V3 could lead but
    # has no window that day.
    volunteers = [
        _volunteer(1),
        _volunteer(2),
        dataclasses.replace(_volunteer(3), role=Role.TEACHER),
    ]
    needs = [_need(1, 540, 600, "广场", priority=3, lead_required=True)]
    problem = _problem(
        volunteers,
        needs,
        availability=tuple(AvailabilityWindow(v.id, 480, 1080, weekday=6) for v in volunteers[:2]),
    )
    [unmet] = explain_unmet(
        problem, build_eligibility(problem), (), {0: [Blocker(BlockerKind.NO_LEAD)]}
    )
    assert [(c.volunteer_id, c.code, c.rules_short) for c in unmet.candidates] == [
        ("V1", "team_rule", 1),
        ("V2", "team_rule", 1),
        ("V3", "unavailable", 1),
    ]
    assert unmet.candidates[0].message == "not a teacher or party member (the team needs a lead)"
    assert unmet.reasons[0].code == "team_rule"


def test_department_skill_level_gender_and_forbidden_pairs_are_named() -> None:
    volunteers = [
        dataclasses.replace(_volunteer(1), skills=(Skill("理发", 1),)),
        dataclasses.replace(_volunteer(2), skills=(Skill("理发", 2),), department="机电学院"),
        dataclasses.replace(_volunteer(3), skills=(Skill("理发", 3),)),
        dataclasses.replace(_volunteer(4), skills=(Skill("理发", 2),), gender=Gender.FEMALE),
        _volunteer(5),
    ]
    needs = [
        _need(
            1,
            540,
            600,
            "广场",
            priority=3,
            skills=(Skill("理发", 2),),
            departments=("装备制造学院",),
            required_gender=Gender.MALE,
        )
    ]
    problem = _problem(volunteers, needs, pairs=(Pair("V3", need_id="N1", forbidden=True),))
    found = {c.volunteer_id: c for c in _nearest(problem)["N1"]}
    assert (found["V1"].code, found["V1"].message) == ("no_skill", "has 理发 at level 1, needs 2")
    assert found["V2"].code == "department"
    assert found["V2"].message == "from 机电学院, not an accepted department (装备制造学院)"
    assert (found["V3"].code, found["V3"].message) == (
        "forbidden",
        "the pairs sheet forbids this pair",
    )
    assert found["V4"].message == "is female; the need asks for male"
    assert found["V5"].message == "lacks 理发 at level 2"
    assert all(c.rules_short == 1 for c in found.values())


def test_capped_volunteers_show_their_load() -> None:
    volunteers = [
        dataclasses.replace(_volunteer(1), max_shifts=1),
        dataclasses.replace(_volunteer(2), max_minutes=100),
    ]
    needs = [
        _need(1, 540, 600, "广场", priority=5),
        _need(2, 660, 720, "广场", priority=5),
        _need(3, 840, 900, "广场", priority=3, max_volunteers=2),
    ]
    problem = _problem(volunteers, needs)
    roster = (_assign(problem, "N1", "V1"), _assign(problem, "N2", "V2"))
    found = {c.volunteer_id: c for c in _nearest(problem, roster)["N3"]}
    assert found["V1"].code == "cap" and found["V1"].message == "at their shift cap (1 of 1 shifts)"
    assert found["V2"].message == "hour budget: 60 of 100 minutes booked, the need takes 60 more"
    assert (found["V2"].shifts, found["V2"].minutes) == (1, 60)


def test_nearest_are_fewest_rules_short_then_least_loaded_then_file_order() -> None:
    # Nobody speaks sign language; V1 is also away that day (two rules short);
    # V2 already works an hour; V3..V7 are free and one rule short.
    volunteers = [_volunteer(i) for i in range(1, 8)]
    needs = [
        _need(1, 540, 600, "广场", priority=5),
        _need(2, 840, 900, "广场", priority=3, skills=(Skill("手语"),)),
    ]
    problem = _problem(
        volunteers,
        needs,
        availability=tuple(AvailabilityWindow(v.id, 480, 1080, weekday=6) for v in volunteers[1:]),
    )
    roster = (_assign(problem, "N1", "V2"),)
    candidates = _nearest(problem, roster)["N2"]
    assert [c.volunteer_id for c in candidates] == ["V3", "V4", "V5", "V6", "V7"]
    assert {c.message for c in candidates} == {"lacks 手语"}
    everyone = dataclasses.replace(
        problem, volunteers=tuple(volunteers[:3]), availability=problem.availability[:2]
    )
    candidates = _nearest(everyone, roster)["N2"]
    assert [(c.volunteer_id, c.rules_short) for c in candidates] == [
        ("V3", 1),
        ("V2", 1),
        ("V1", 2),
    ]
    assert candidates[2].codes == ("no_skill", "unavailable")
    assert candidates[2].message == "lacks 手语; not available on 2026-09-19"


def test_nearest_volunteers_come_from_the_whole_problem_when_it_splits() -> None:
    # V1 serves 东区 and V2 西区 (max_travel): two independent parts.  N3 in 东区
    # clashes with N1; the nearest are V1 (busy on N1) and V2 (too far), who
    # is in the other part.
    volunteers = [
        dataclasses.replace(_volunteer(1), home_area="东区", max_travel=15),
        dataclasses.replace(_volunteer(2), home_area="西区", max_travel=15),
    ]
    needs = [
        _need(1, 540, 600, "东区", priority=5, area="东区"),
        _need(2, 540, 600, "西区", priority=5, area="西区"),
        _need(3, 540, 600, "东区", priority=3, area="东区"),
    ]
    problem = _problem(volunteers, needs, travel=(Travel("东区", "西区", 30),))
    result = solve(problem, SolverParams(time_limit=10))
    [n3] = [u for u in result.unmet if u.need_id == "N3"]
    assert [(c.volunteer_id, c.code) for c in n3.candidates] == [("V1", "busy"), ("V2", "too_far")]
    assert n3.candidates[1].message == "lives in 西区, 30 minutes from 东区 (max_travel 15)"


def test_free_volunteers_short_of_a_team_rule_say_which() -> None:
    # N2 is a joint activity of two departments; V2, the only one from 自动控制学院,
    # is busy on N1.  V1 is free but cannot stand in for that department.
    volunteers = [_volunteer(1), dataclasses.replace(_volunteer(2), department="自动控制学院")]
    needs = [
        _need(1, 540, 600, "广场", priority=5),
        _need(
            2,
            540,
            600,
            "广场",
            priority=3,
            min_volunteers=2,
            max_volunteers=2,
            joint_departments=("装备制造学院", "自动控制学院"),
        ),
    ]
    problem = _problem(volunteers, needs)
    candidates = _nearest(problem, (_assign(problem, "N1", "V2"),))["N2"]
    assert [(c.volunteer_id, c.code, c.rules_short) for c in candidates] == [
        ("V1", "team_rule", 1),
        ("V2", "busy", 1),
    ]
    assert candidates[0].message == "not from 自动控制学院 (joint activity)"
    assert candidates[1].message == "busy at N1 09:00-10:00 in 广场"


def test_too_few_eligible_names_them_and_whom_else_to_ask() -> None:
    volunteers = [_volunteer(1), _volunteer(2), _volunteer(3)]
    needs = [_need(1, 540, 600, "广场", priority=3, min_volunteers=3, max_volunteers=3)]
    problem = _problem(
        volunteers,
        needs,
        blackouts=(Blackout("V3", SAT),),
    )
    result = solve(problem, SolverParams(time_limit=10))
    [unmet] = result.unmet
    assert unmet.reasons[0].code == "too_few_eligible"
    assert [(c.volunteer_id, c.code, c.rules_short) for c in unmet.candidates] == [
        ("V1", "eligible", 0),
        ("V2", "eligible", 0),
        ("V3", "unavailable", 1),
    ]
    assert unmet.candidates[0].message == "eligible, but too few are eligible for the minimum of 3"
    assert unmet.candidates[2].message == "not available on 2026-09-19 (blackout)"
