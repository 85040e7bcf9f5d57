"""Eligibility: the funnel of reasons, flexible start ranges and candidate pruning."""

from __future__ import annotations

import pytest

from matcher.check import check_roster
from matcher.domain import (
    AvailabilityWindow,
    Gender,
    Household,
    HouseholdCategory,
    Membership,
    Pair,
    Pin,
    Role,
    Skill,
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
