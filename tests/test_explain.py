"""Explanations of unmet and short needs agree with the model's rules."""

from __future__ import annotations

import datetime as dt

from matcher.calendar import build_horizon
from matcher.check import check_roster
from matcher.domain import (
    AvailabilityWindow,
    Gender,
    Membership,
    Need,
    NeedCategory,
    Pin,
    Problem,
    Role,
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
