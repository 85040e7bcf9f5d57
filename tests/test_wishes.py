"""Household wishes (preferred gender, languages) win wherever they cost no coverage (issue 10)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from matcher.decompose import find_parts
from matcher.domain import (
    Department,
    Gender,
    Household,
    HouseholdCategory,
    Membership,
    NeedCategory,
    Problem,
    Role,
    Skill,
    Volunteer,
)
from matcher.eligibility import build_eligibility, find_candidates
from matcher.params import SolverParams, params_from_mapping
from matcher.result import Result, Status
from matcher.solver.backend import StageEnd, StageOutcome
from matcher.solver.cpsat import CpSatBackend
from matcher.solver.model import build_model
from matcher.solver.stages import StageSettings, run_stages
from matcher.solver.wishes import household_wishes
from tests.test_decompose import FAR
from tests.test_solver import need, problem, solved, volunteer


def _lead(i: int, gender: Gender, department: str, **changes: object) -> Volunteer:
    """A teacher who may lead, otherwise like every other volunteer of these cases."""
    return volunteer(
        i,
        gender=gender,
        role=Role.TEACHER,
        membership=Membership.PARTY,
        department=department,
        **changes,
    )


def household(i: int, **changes) -> Household:
    base = dict(id=f"H{i}", address=f"{i}号楼", category=HouseholdCategory.ELDERLY_ALONE)
    base.update(changes)
    return Household(**base)


# The male lead's department suits elderly care (department_fit 3), the female
# lead's does not: on the soft rules alone the man scores 3, the woman the
# household_preference bonus of 2.
DEPARTMENTS = (
    Department("装备制造学院", fit_categories=(NeedCategory.ELDERLY_CARE,)),
    Department("自动控制学院"),
)


def visit_case(*more_needs, **changes) -> Problem:
    """A household asking for a woman; its visit needs a lead; a woman and a man lead are free."""
    vols = [
        _lead(1, Gender.FEMALE, "自动控制学院", skills=(Skill("理发"),)),
        _lead(2, Gender.MALE, "装备制造学院"),
    ]
    needs = [
        need(
            1,
            category=NeedCategory.ELDERLY_CARE,
            household_id="H1",
            lead_required=True,
            priority=3,
        ),
        *more_needs,
    ]
    base = dict(
        households=(household(1, preferred_gender=Gender.FEMALE),),
        departments=DEPARTMENTS,
    )
    base.update(changes)
    return problem(vols, needs, **base)


def team(result: Result, need_id: str) -> list[str]:
    return [a.volunteer_id for a in result.assignments_of(need_id)]


def test_the_woman_asked_for_leads_the_visit() -> None:
    result = solved(visit_case())
    assert result.status == Status.OPTIMAL
    assert team(result, "N1") == ["V1"]
    [lead] = result.assignments_of("N1")
    assert lead.role.value == "lead"
    assert [s.name for s in result.stages] == ["coverage", "wishes", "soft"]
    assert result.objective_terms["wishes"] == 1
    assert result.unmet_wishes == ()


def test_without_the_stage_the_soft_rules_send_the_man() -> None:
    # The old behaviour: household_preference (2) loses to department_fit (3).
    result = solved(visit_case(), wishes_stage=False)
    assert result.status == Status.OPTIMAL
    assert team(result, "N1") == ["V2"]
    assert [s.name for s in result.stages] == ["coverage", "soft"]
    assert "wishes" not in result.objective_terms
    [unmet] = result.unmet_wishes
    assert (unmet.household_id, unmet.need_id, unmet.kind, unmet.wish) == (
        "H1",
        "N1",
        "gender",
        "女",
    )
    assert [r.code for r in unmet.reasons] == ["soft_rules"]
    assert "V1" in unmet.reasons[0].message and "wishes stage is off" in unmet.reasons[0].message
    # The weight alone can change it, as before the stage existed.
    heavier = solved(visit_case(), wishes_stage=False, weights=_weights(household_preference=20))
    assert team(heavier, "N1") == ["V1"]


def _weights(**changes: int):
    return SolverParams().with_weights(**changes).weights


def test_the_stage_wins_over_every_soft_rule_but_costs_the_soft_objective() -> None:
    on, off = solved(visit_case()), solved(visit_case(), wishes_stage=False)
    # Same coverage; the soft objective pays the difference of the two leads.
    assert on.coverage_score == off.coverage_score
    assert on.objective == off.objective - 1


@pytest.mark.parametrize("priority", [1, 5])
def test_a_wish_never_costs_coverage(priority: int) -> None:
    # At the same time a haircut only the woman can give: she cuts hair, the man visits,
    # whatever the haircut's priority (coverage is held before the wishes stage runs).
    haircut = need(2, skills=(Skill("理发"),), priority=priority)
    result = solved(visit_case(haircut))
    assert result.status == Status.OPTIMAL
    assert team(result, "N1") == ["V2"] and team(result, "N2") == ["V1"]
    [unmet] = result.unmet_wishes
    assert (unmet.need_id, unmet.wish) == ("N1", "女")
    [reason] = unmet.reasons
    assert reason.code == "kept_for_coverage" and reason.count == 1
    assert reason.message.startswith("kept for coverage of N2")
    # Off, the roster is the same: the wish was never what decided it.
    off = solved(visit_case(haircut), wishes_stage=False)
    assert off.coverage_score == result.coverage_score
    assert team(off, "N1") == ["V2"]


def test_a_wish_nobody_can_meet_is_said_so() -> None:
    # The household speaks 柳州话 too; nobody does.
    p = visit_case(
        households=(household(1, preferred_gender=Gender.FEMALE, languages=("柳州话", "普通话")),)
    )
    result = solved(p)
    assert team(result, "N1") == ["V1"]
    [unmet] = result.unmet_wishes
    assert (unmet.kind, unmet.wish) == ("language", "柳州话")
    assert [r.code for r in unmet.reasons] == ["none_qualified"]


def test_language_and_gender_each_count_once_per_assignment() -> None:
    wishes = household_wishes(
        household(1, preferred_gender=Gender.FEMALE, languages=("普通话", "柳州话", "壮话"))
    )
    assert [(w.kind, w.wish) for w in wishes] == [("gender", "女"), ("language", "柳州话、壮话")]
    assert household_wishes(household(2, languages=("普通话",))) == []
    # A woman who speaks 柳州话 meets both: 2 on one assignment.
    vols = [
        _lead(1, Gender.FEMALE, "自动控制学院", languages=("普通话", "柳州话")),
        _lead(2, Gender.MALE, "装备制造学院", languages=("柳州话",)),
    ]
    asking = household(1, preferred_gender=Gender.FEMALE, languages=("柳州话",))
    p = visit_case(households=(asking,))
    p = p.replace(volunteers=tuple(vols))
    result = solved(p)
    assert team(result, "N1") == ["V1"] and result.objective_terms["wishes"] == 2


def test_no_wish_no_stage() -> None:
    result = solved(visit_case(households=(household(1),)))
    assert [s.name for s in result.stages] == ["coverage", "soft"]
    assert team(result, "N1") == ["V2"]  # the soft rules decide, as before


def test_the_stage_is_a_parameter() -> None:
    assert SolverParams().wishes_stage is True
    assert params_from_mapping({"wishes_stage": False}).wishes_stage is False
    with pytest.raises(Exception, match="wishes_stage"):
        params_from_mapping({"wishes_stage": "no"})


def test_parts_keep_their_wishes_and_merge_them() -> None:
    # Two areas no volunteer travels between: each is solved apart, the stage merged.
    near = dict(max_travel=10)
    vols = [
        _lead(1, Gender.FEMALE, "自动控制学院", home_area="东区", **near),
        _lead(2, Gender.MALE, "装备制造学院", home_area="东区", **near),
        _lead(3, Gender.FEMALE, "自动控制学院", home_area="西区", **near),
        _lead(4, Gender.MALE, "装备制造学院", home_area="西区", **near),
    ]
    visits = [
        need(
            i, category=NeedCategory.ELDERLY_CARE, household_id=f"H{i}", lead_required=True, area=a
        )
        for i, a in ((1, "东区"), (2, "西区"))
    ]
    p = problem(
        vols,
        visits,
        households=tuple(household(i, preferred_gender=Gender.FEMALE) for i in (1, 2)),
        departments=DEPARTMENTS,
        travel=FAR,
    )
    assert len(find_parts(find_candidates(p).volunteers, len(p.volunteers))) == 2
    apart = solved(p)
    whole = solved(p, decompose=False)
    names = ["coverage", "wishes", "soft"]
    assert [s.name for s in apart.stages] == [s.name for s in whole.stages] == names
    assert apart.stages[1].objective == whole.stages[1].objective == 2
    assert apart.objective == whole.objective
    assert apart.objective_terms["wishes"] == 2
    assert team(apart, "N1") == ["V1"] and team(apart, "N2") == ["V3"]
    assert apart.unmet_wishes == whole.unmet_wishes == ()


def test_a_full_team_meeting_the_other_wish_is_said_so() -> None:
    # One place; the woman speaks no 柳州话, the man does: either meets one wish.
    asking = household(1, preferred_gender=Gender.FEMALE, languages=("柳州话",))
    p = visit_case(households=(asking,))
    man = p.volunteers[1]
    p = p.replace(volunteers=(p.volunteers[0], dataclasses.replace(man, languages=("柳州话",))))
    result = solved(p)
    assert result.objective_terms["wishes"] == 1
    [unmet] = result.unmet_wishes
    assert [r.code for r in unmet.reasons] == ["other_wish"]


def test_a_free_match_who_cannot_lead_is_kept_off_by_the_team_rules() -> None:
    # The woman is a student (no lead); the visit needs a lead and has one place.
    p = visit_case()
    woman = dataclasses.replace(p.volunteers[0], role=Role.STUDENT, membership=Membership.LEAGUE)
    p = p.replace(volunteers=(woman, p.volunteers[1]))
    result = solved(p)
    assert team(result, "N1") == ["V2"]
    [unmet] = result.unmet_wishes
    [reason] = unmet.reasons
    assert reason.code == "team_rules" and reason.message.startswith("V1 with 女 was free")


class _NoWishesRoster:
    """CP-SAT, except that the wishes stage runs out of its share before any roster."""

    def __init__(self, inner: CpSatBackend) -> None:
        self.inner = inner
        self.solved: list[str] = []

    def start_from(self, solution) -> None:
        self.inner.start_from(solution)

    def solve_stage(self, stage, seconds, improved=None) -> StageOutcome:
        self.solved.append(stage.name)
        if stage.name == "wishes":
            return StageOutcome(StageEnd.NO_ROSTER, None, None, seconds)
        return self.inner.solve_stage(stage, seconds, improved)

    def hold(self, stage, reached: int, bound: int) -> None:
        self.inner.hold(stage, reached, bound)

    def interrupt(self) -> None:
        self.inner.interrupt()


def test_a_wishes_stage_cut_short_holds_its_start_and_the_soft_stage_runs() -> None:
    p = visit_case()
    params = SolverParams(time_limit=10)
    elig = build_eligibility(p)
    rm = build_model(p, elig, params)
    backend = _NoWishesRoster(CpSatBackend(rm, params))
    started = time.perf_counter()
    settings = StageSettings(params=params, started=started, deadline_for=lambda _: started + 8)
    run = run_stages(p, elig, rm, backend, settings)
    assert backend.solved == ["coverage", "wishes", "soft"]
    assert [(r.name, r.status) for r in run.reports] == [
        ("coverage", Status.OPTIMAL),
        ("wishes", Status.FEASIBLE),
        ("soft", Status.OPTIMAL),
    ]
    assert run.status == Status.FEASIBLE and run.has_roster
    assert "wishes stage found no roster" in run.message
    # The start's wishes are held: the soft stage may not lose any of them.
    assert run.best is not None
    assert run.best.value(rm.wishes[0], rm) >= run.reports[1].objective
