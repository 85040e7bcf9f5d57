"""Property tests: every solver roster passes the checker; injected violations are caught."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.calendar import build_horizon
from matcher.check import check_roster
from matcher.domain import (
    Assignment,
    AssignmentRole,
    AvailabilityWindow,
    Blackout,
    Department,
    Gender,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Problem,
    Role,
    Skill,
    Travel,
    Volunteer,
)
from matcher.params import SolverParams
from matcher.solver import solve

HORIZON = build_horizon(dt.date(2026, 9, 19), dt.date(2026, 9, 27))
DAYS = list(HORIZON.service_days)
DEPARTMENTS = ("装备制造学院", "自动控制学院", "马克思主义学院")
SKILLS = ("家电维修", "理发", "辅导功课")
LANGUAGES = ("普通话", "柳州话")
PLACES = ("", "广场", "活动室")


@st.composite
def volunteers(draw: st.DrawFn, i: int) -> Volunteer:
    return Volunteer(
        id=f"V{i}",
        name=f"志愿者{i}",
        role=draw(st.sampled_from(list(Role))),
        membership=draw(st.sampled_from(list(Membership))),
        department=draw(st.sampled_from(DEPARTMENTS)),
        skills=tuple(
            Skill(s, draw(st.integers(1, 3)))
            for s in draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=2))
        ),
        languages=("普通话", *draw(st.lists(st.just("柳州话"), max_size=1))),
        gender=draw(st.sampled_from(list(Gender))),
        max_shifts=draw(st.integers(0, 3)),
        max_minutes=draw(st.sampled_from([60, 120, 240, 480])),
    )


@st.composite
def needs(draw: st.DrawFn, i: int) -> Need:
    kind = draw(st.sampled_from(["fixed", "fixed", "flexible", "untimed"]))
    minimum = draw(st.integers(1, 3))
    common = dict(
        id=f"N{i}",
        title=f"需求{i}",
        category=draw(st.sampled_from(list(NeedCategory))),
        skills=tuple(
            Skill(s, draw(st.integers(1, 2)))
            for s in draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=1))
        ),
        departments=tuple(draw(st.lists(st.sampled_from(DEPARTMENTS), unique=True, max_size=2))),
        min_volunteers=minimum,
        max_volunteers=minimum + draw(st.integers(0, 2)),
        priority=draw(st.integers(1, 5)),
        lead_required=draw(st.booleans()),
        joint_departments=tuple(
            draw(st.lists(st.sampled_from(DEPARTMENTS), unique=True, max_size=2))
        ),
        required_gender=draw(st.none() | st.sampled_from(list(Gender))),
        required_languages=tuple(draw(st.lists(st.just("柳州话"), max_size=1))),
        location=draw(st.sampled_from(PLACES)),
    )
    if kind == "untimed":
        return Need(duration=draw(st.sampled_from([30, 60])), **common)
    start = draw(st.integers(16, 34)) * 30  # 08:00 .. 17:00
    duration = draw(st.sampled_from([30, 60, 90]))
    end = start + duration + (draw(st.sampled_from([30, 60, 120])) if kind == "flexible" else 0)
    return Need(duration=duration, date=draw(st.sampled_from(DAYS)), start=start, end=end, **common)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    vols = [draw(volunteers(i)) for i in range(draw(st.integers(3, 9)))]
    ns = [draw(needs(i)) for i in range(draw(st.integers(1, 8)))]
    availability = []
    for v in vols:
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(14, 30)) * 30
            end = start + draw(st.integers(2, 16)) * 30
            if draw(st.booleans()):
                availability.append(
                    AvailabilityWindow(v.id, start, end, weekday=draw(st.integers(1, 7)))
                )
            else:
                availability.append(
                    AvailabilityWindow(v.id, start, end, date=draw(st.sampled_from(DAYS)))
                )
    blackouts = [
        Blackout(v.id, draw(st.sampled_from(DAYS))) for v in vols if draw(st.integers(0, 5)) == 0
    ]
    pairs = []
    for _ in range(draw(st.integers(0, 4))):
        v = draw(st.sampled_from(vols))
        n = draw(st.sampled_from(ns))
        pairs.append(
            Pair(
                v.id,
                need_id=n.id,
                affinity=draw(st.integers(-3, 3)),
                forbidden=draw(st.integers(0, 3)) == 0,
                extra_minutes=draw(st.sampled_from([0, 0, 20, 45])),
            )
        )
    travel = (Travel("广场", "活动室", draw(st.sampled_from([5, 30]))),)
    return Problem(
        horizon=HORIZON,
        volunteers=tuple(vols),
        needs=tuple(ns),
        availability=tuple(availability),
        blackouts=tuple(blackouts),
        pairs=tuple(pairs),
        departments=tuple(Department(d) for d in DEPARTMENTS),
        travel=travel,
    )


PARAMS = SolverParams(time_limit=5)
RELAXED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(problems())
def test_every_solver_roster_passes_the_checker(problem: Problem) -> None:
    result = solve(problem, PARAMS)
    assert result.has_roster
    assert check_roster(problem, result.assignments) == []
    # Every need is either staffed or explained.
    staffed = {a.need_id for a in result.assignments}
    explained = {u.need_id for u in result.unmet if not u.staffed}
    assert staffed | explained == {n.id for n in problem.needs}
    assert all(u.reasons for u in result.unmet)


def _rules(problem: Problem, roster: list[Assignment]) -> set[str]:
    return {v.rule for v in check_roster(problem, roster)}


@RELAXED
@given(problems(), st.data())
def test_injected_violations_are_caught(problem: Problem, data: st.DataObject) -> None:
    result = solve(problem, PARAMS)
    roster = list(result.assignments)
    if not roster:
        # Nothing to break but the staffing rules: a must-cover need left empty.
        need = problem.needs[0]
        changed = problem.replace(
            needs=(dataclasses.replace(need, must_cover=True), *problem.needs[1:])
        )
        assert "must-cover" in _rules(changed, roster)
        return
    a = data.draw(st.sampled_from(roster))
    need = problem.need(a.need_id)
    volunteer = problem.volunteer(a.volunteer_id)
    team = [b for b in roster if b.need_id == a.need_id]

    assert "unknown-volunteer" in _rules(
        problem, [*roster, dataclasses.replace(a, volunteer_id="X")]
    )
    assert "duplicate-assignment" in _rules(problem, [*roster, a])
    shifts = sum(1 for b in roster if b.volunteer_id == a.volunteer_id)
    capped = dataclasses.replace(volunteer, max_shifts=shifts - 1)
    assert "max-shifts" in _rules(
        problem.replace(
            volunteers=tuple(capped if v.id == volunteer.id else v for v in problem.volunteers)
        ),
        roster,
    )
    short = dataclasses.replace(volunteer, max_minutes=0)
    assert "max-hours" in _rules(
        problem.replace(
            volunteers=tuple(short if v.id == volunteer.id else v for v in problem.volunteers)
        ),
        roster,
    )
    harder = dataclasses.replace(need, skills=(*need.skills, Skill("手语")))
    assert "skill" in _rules(
        problem.replace(needs=tuple(harder if n.id == need.id else n for n in problem.needs)),
        roster,
    )
    others = [b for b in roster if b.need_id != a.need_id]
    if need.min_volunteers > 1:
        broken_team = team[: need.min_volunteers - 1]  # some, but fewer than the minimum
    else:
        members = {b.volunteer_id for b in team}
        outsiders = [v.id for v in problem.volunteers if v.id not in members]
        surplus = need.max_volunteers - len(team) + 1
        extras = [dataclasses.replace(a, volunteer_id=v) for v in outsiders[:surplus]]
        broken_team = team + extras if len(extras) == surplus else []
    if broken_team:
        assert "staffing" in _rules(problem, others + broken_team)
    if need.date is not None:
        late = [dataclasses.replace(b, start=b.start + 1) if b == a else b for b in roster]
        assert "timing" in _rules(problem, late)
        unavailable = problem.replace(
            availability=tuple(w for w in problem.availability if w.volunteer_id != volunteer.id)
        )
        assert "availability" in _rules(unavailable, roster)
        other = [
            n
            for n in problem.needs
            if n.id != need.id
            and n.date == need.date
            and n.start is not None
            and n.start < a.end
            and a.start < n.start + n.duration
        ]
        if other:
            n = other[0]
            extra = Assignment(n.id, a.volunteer_id, n.date, n.start, n.start + n.duration)
            if not any(b.need_id == n.id and b.volunteer_id == a.volunteer_id for b in roster):
                assert "overlap" in _rules(problem, [*roster, extra])
    if not volunteer.can_lead:
        marked = [dataclasses.replace(b, role=AssignmentRole.LEAD) if b == a else b for b in roster]
        assert "lead-role" in _rules(problem, marked)
