"""Eligibility: the funnel of reasons, flexible start ranges and candidate pruning."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.check import check_roster
from matcher.domain import (
    AvailabilityWindow,
    Gender,
    HistoryEntry,
    Household,
    HouseholdCategory,
    Membership,
    Pair,
    Pin,
    Role,
    Skill,
    Travel,
)
from matcher.eligibility import STAGES, build_eligibility
from matcher.errors import DataError
from matcher.generate import generate_problem
from matcher.params import SolverParams
from matcher.solver import solve
from tests.test_solver import need, problem, volunteer


def test_funnel_counts_each_filter_in_turn() -> None:
    vols = [
        volunteer(1, skills=(Skill("理发", 2),), gender=Gender.FEMALE),
        volunteer(2, skills=(Skill("理发", 1),)),  # level too low
        volunteer(3, skills=(Skill("理发", 3),), department="自动控制学院"),
        volunteer(4, skills=(Skill("理发", 2),)),  # male
    ]
    p = problem(
        vols,
        [
            need(
                1,
                skills=(Skill("理发", 2),),
                departments=("装备制造学院",),
                required_gender=Gender.FEMALE,
            )
        ],
    )
    funnel = build_eligibility(p).funnel[0]
    assert list(funnel)[: len(STAGES)] == list(STAGES)
    assert funnel["skill"] == 3
    assert funnel["department"] == 2
    assert funnel["gender"] == 1
    assert funnel["budget"] == 1


def test_flexible_start_ranges_follow_each_volunteers_window() -> None:
    vols = [volunteer(1), volunteer(2)]
    availability = (
        AvailabilityWindow("V1", 540, 660, weekday=6),
        AvailabilityWindow("V2", 600, 720, weekday=6),
    )
    p = problem(vols, [need(1, start=540, end=720, duration=60)], availability=availability)
    elig = build_eligibility(p)
    ranges = {int(elig.volunteer[q]): r for q, r in elig.start_domains.items()}
    assert ranges == {0: [(540, 600)], 1: [(600, 660)]}


def test_pruning_keeps_pins_and_team_rule_reserves() -> None:
    vols = [volunteer(i) for i in range(30)]
    vols.append(volunteer(30, role=Role.TEACHER, membership=Membership.PARTY))
    vols.append(volunteer(31, languages=("普通话", "壮语")))
    needs = [need(1, lead_required=True, required_languages=("壮语",), max_volunteers=3)]
    pins = (Pin("V7", "N1"),)
    p = problem(vols, needs, pins=pins)
    elig = build_eligibility(p, candidate_limit=5, prune_above=0)
    kept = {vols[v].id for v in elig.volunteer.tolist()}
    assert {"V7", "V30", "V31"} <= kept
    assert elig.pruned == len(vols) - len(kept)
    assert elig.funnel[0]["considered"] == len(kept)


def test_pruned_solve_still_keeps_every_hard_rule() -> None:
    p = generate_problem(400, 120, seed=5)
    result = solve(p, SolverParams(time_limit=20, candidate_limit=8, prune_above=0))
    assert result.pruned_pairs > 0
    assert result.has_roster
    assert check_roster(p, result.assignments) == []


def test_pin_on_ineligible_pair_is_a_data_error() -> None:
    p = problem([volunteer(1)], [need(1, skills=(Skill("手语"),))], pins=(Pin("V1", "N1"),))
    with pytest.raises(DataError, match="lacks a required skill"):
        build_eligibility(p)


def test_pin_refusal_names_the_rule_when_others_have_history() -> None:
    # the one-volunteer probe problem must not carry the others' history (it is checked)
    history = (HistoryEntry("V2", dt.date(2026, 9, 1), 60), HistoryEntry("V1", dt.date(2026, 9, 2)))
    p = problem(
        [volunteer(1), volunteer(2)],
        [need(1, skills=(Skill("手语"),))],
        pins=(Pin("V1", "N1"),),
        history=history,
    )
    with pytest.raises(DataError, match="lacks a required skill") as info:
        build_eligibility(p)
    assert "V2" not in str(info.value)


def test_household_pairs_add_extra_minutes_to_every_need_of_the_household() -> None:
    household = Household("H1", "3栋2单元401", HouseholdCategory.ELDERLY_ALONE)
    needs = [need(1, household_id="H1"), need(2, household_id="H1", start=660, end=720)]
    pairs = (
        Pair("V1", household_id="H1", extra_minutes=15),
        Pair("V1", need_id="N2", extra_minutes=5),
    )
    p = problem([volunteer(1)], needs, households=(household,), pairs=pairs)
    elig = build_eligibility(p)
    extra = dict(zip(elig.need.tolist(), elig.extra_minutes.tolist(), strict=True))
    assert extra == {0: 15, 1: 20}


def test_pruning_spreads_candidates_over_the_volunteers() -> None:
    # Ranking every list by the same global key put the same few volunteers on
    # every list; they then hit their shift caps and coverage collapsed.
    p = generate_problem(600, 200, seed=2)
    full = build_eligibility(p)
    pruned = build_eligibility(p, candidate_limit=10, prune_above=0)
    assert pruned.pruned > 0
    with_any = set(full.volunteer.tolist())
    kept = set(pruned.volunteer.tolist())
    assert len(kept) >= 0.9 * len(with_any)


def test_distance_stage_keeps_volunteers_near_home() -> None:
    vols = [
        volunteer(1, home_area="东区", max_travel=10),  # 东区 -> 西区 is 30 minutes
        volunteer(2, home_area="东区", max_travel=30),
        volunteer(3, home_area="东区"),  # no limit
        volunteer(4, home_area="西区", max_travel=0),
        volunteer(5, home_area="北区", max_travel=5),  # 北区 -> 西区 is not listed: 10
    ]
    household = Household("H1", "3栋2单元401", HouseholdCategory.ELDERLY_ALONE, area="西区")
    needs = [
        need(1, area="西区"),
        # The household's area counts, not the need's own.
        need(2, area="东区", household_id="H1", start=660, end=720),
    ]
    p = problem(vols, needs, households=(household,), travel=(Travel("东区", "西区", 30),))
    elig = build_eligibility(p)
    assert list(elig.funnel[0])[:5] == ["service_day", "skill", "department", "gender", "distance"]
    for n in (0, 1):
        assert elig.funnel[n]["gender"] == 5 and elig.funnel[n]["distance"] == 3
        kept = {vols[v].id for v in elig.volunteer[elig.pairs_of_need(n)].tolist()}
        assert kept == {"V2", "V3", "V4"}
    # A default other than 10 minutes moves 北区 within reach of V5.
    near = build_eligibility(p, travel_default=5)
    assert near.funnel[0]["distance"] == 4


def test_nobody_near_enough_is_explained() -> None:
    vols = [volunteer(i, home_area="东区", max_travel=15) for i in (1, 2, 3)]
    p = problem(vols, [need(1, area="西区")], travel=(Travel("东区", "西区", 30),))
    result = solve(p, SolverParams(time_limit=10))
    [unmet] = result.unmet
    [reason] = unmet.reasons
    assert reason.code == "too_far" and reason.count == 3
    assert reason.message == (
        "the 3 qualified volunteers live too far away (farther than their max_travel from 西区)"
    )


def test_pin_too_far_from_home_is_a_data_error() -> None:
    p = problem(
        [volunteer(1, home_area="东区", max_travel=15)],
        [need(1, area="西区")],
        travel=(Travel("东区", "西区", 30),),
        pins=(Pin("V1", "N1"),),
    )
    with pytest.raises(DataError, match="lives farther from the need than their max_travel"):
        build_eligibility(p)
