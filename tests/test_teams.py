"""Team rules as one notion: the rules of a need, who meets them, what blocks a need."""

from __future__ import annotations

import datetime as dt

from matcher.calendar import build_horizon
from matcher.domain import (
    AvailabilityWindow,
    Membership,
    Need,
    NeedCategory,
    Problem,
    Role,
    Volunteer,
)
from matcher.eligibility import build_eligibility
from matcher.params import SolverParams
from matcher.solver.model import build_model
from matcher.teams import (
    Blocker,
    BlockerKind,
    TeamRule,
    TeamRuleKind,
    staffing_blockers,
    team_rules,
)

SAT = dt.date(2026, 9, 19)


def _volunteer(i: int, **changes: object) -> Volunteer:
    fields: dict = dict(
        id=f"V{i}",
        name=f"志愿者{i}",
        role=Role.STUDENT,
        membership=Membership.LEAGUE,
        department="装备制造学院",
        languages=("普通话",),
    )
    fields.update(changes)
    return Volunteer(**fields)


def _joint_need(**changes: object) -> Need:
    fields: dict = dict(
        id="N1",
        title="联合维修",
        category=NeedCategory.REPAIR_VEHICLE,
        duration=60,
        date=SAT,
        start=540,
        end=600,
        min_volunteers=2,
        max_volunteers=3,
        lead_required=True,
        joint_departments=("装备制造学院", "自动控制学院"),
        required_languages=("柳州话",),
    )
    fields.update(changes)
    return Need(**fields)


def test_team_rules_in_the_order_they_are_met() -> None:
    assert team_rules(_joint_need()) == (
        TeamRule(TeamRuleKind.LEAD),
        TeamRule(TeamRuleKind.DEPARTMENT, department="装备制造学院"),
        TeamRule(TeamRuleKind.DEPARTMENT, department="自动控制学院"),
        TeamRule(TeamRuleKind.LANGUAGE, language="柳州话"),
    )
    assert (
        team_rules(_joint_need(lead_required=False, joint_departments=(), required_languages=()))
        == ()
    )


def test_who_meets_a_rule() -> None:
    teacher = _volunteer(1, role=Role.TEACHER)
    party = _volunteer(2, membership=Membership.PARTY, department="自动控制学院")
    speaker = _volunteer(3, languages=("普通话", "柳州话"))
    lead, equipment, control, language = team_rules(_joint_need())
    assert [lead.admits(v) for v in (teacher, party, speaker)] == [True, True, False]
    assert [equipment.admits(v) for v in (teacher, party, speaker)] == [True, False, True]
    assert [control.admits(v) for v in (teacher, party, speaker)] == [False, True, False]
    assert [language.admits(v) for v in (teacher, party, speaker)] == [False, False, True]


def test_blockers_are_typed_values() -> None:
    need = _joint_need(min_volunteers=3)
    assert staffing_blockers(need, [_volunteer(1), _volunteer(2)]) == [
        Blocker(BlockerKind.TOO_FEW_ELIGIBLE),
        Blocker(BlockerKind.NO_LEAD),
        Blocker(BlockerKind.NO_DEPARTMENT, department="自动控制学院"),
        Blocker(BlockerKind.NO_LANGUAGE, language="柳州话"),
    ]
    team = [
        _volunteer(1, role=Role.TEACHER),
        _volunteer(2, department="自动控制学院"),
        _volunteer(3, languages=("柳州话",)),
    ]
    assert staffing_blockers(need, team) == []


def test_the_model_closes_a_need_with_its_blockers() -> None:
    volunteers = (_volunteer(1), _volunteer(2), _volunteer(3))
    problem = Problem(
        horizon=build_horizon(SAT, SAT + dt.timedelta(days=8)),
        volunteers=volunteers,
        needs=(_joint_need(),),
        availability=tuple(
            AvailabilityWindow(volunteer_id=v.id, start=480, end=1080, weekday=6)
            for v in volunteers
        ),
    )
    rm = build_model(problem, build_eligibility(problem), SolverParams())
    assert rm.closed == {
        0: [
            Blocker(BlockerKind.NO_LEAD),
            Blocker(BlockerKind.NO_DEPARTMENT, department="自动控制学院"),
            Blocker(BlockerKind.NO_LANGUAGE, language="柳州话"),
        ]
    }
