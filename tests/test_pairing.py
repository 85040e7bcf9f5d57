"""One-to-one support: pairing, its checker, minimal change, unpaired reasons, continuity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from matcher.check_pairing import PAIRING_RULES, check_pairing
from matcher.domain import (
    AvailabilityWindow,
    Gender,
    Household,
    HouseholdCategory,
    Membership,
    Pair,
    Problem,
    Role,
    Skill,
    Support,
    SupportPair,
    Travel,
    VisitFrequency,
    Volunteer,
)
from matcher.io import load_dataset
from matcher.pairing import PairingParams, PairingScreen, pair_households
from matcher.pairing.changes import pairing_changes
from matcher.pairing.report import continuity, unpaired_households

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
PARAMS = PairingParams(time_limit=20)


@cache
def sample() -> Problem:
    return load_dataset(SAMPLE)


@cache
def sample_pairing() -> tuple[SupportPair, ...]:
    return pair_households(sample(), params=PARAMS).pairs


# --- the pairing on the sample ---------------------------------------------------------


def test_every_household_with_a_compatible_volunteer_gets_a_primary_and_a_backup() -> None:
    problem = sample()
    screen = PairingScreen(problem)
    result = pair_households(problem, params=PARAMS, screen=screen)
    paired = {p.household_id: p for p in result.pairs}
    for household in problem.households:
        compatible = len(screen.eligible(household))
        if household.one_to_one and compatible >= 2:
            pair = paired[household.id]
            assert pair.backup_id is not None and pair.backup_id != pair.primary_id
        if not household.one_to_one or compatible == 0:
            assert household.id not in paired
    assert check_pairing(problem, result.pairs) == []
    assert result.status == "OPTIMAL" and result.gap == 0
    assert [s.name for s in result.stages] == ["paired", "backed", "fit", "spread"]


def test_unpaired_households_have_reasons_and_name_whom_to_ask() -> None:
    problem = sample()
    screen = PairingScreen(problem)
    unpaired = {u.household_id: u for u in unpaired_households(problem, sample_pairing(), screen)}
    assert {k: u.code for k, u in unpaired.items()} == {
        "H017": "skill",  # 手语: nobody in the sample signs
        "H019": "language",  # 粤语: nobody speaks it
        "H020": "availability",  # Wednesday evenings: nobody is free
    }
    assert "粤语" in unpaired["H019"].reason
    assert "19:00-20:30" in unpaired["H020"].reason
    for u in unpaired.values():
        assert u.missing == "primary" and len(u.nearest) == 3
        assert all(n.codes == (u.code,) for n in u.nearest)  # one rule short each


def test_every_compatible_volunteer_at_their_cap_is_the_reason() -> None:
    problem = _small()
    one = dataclasses.replace(problem.volunteers[0], max_households=1)
    problem = problem.replace(volunteers=(one,))
    result = pair_households(problem, params=PARAMS)
    assert len(result.pairs) == 1 and result.pairs[0].backup_id is None
    screen = PairingScreen(problem)
    unpaired = unpaired_households(problem, result.pairs, screen)
    assert {(u.missing, u.code) for u in unpaired} == {
        ("primary", "cap"),
        ("backup", "only_primary"),
    }
    (missing,) = [u for u in unpaired if u.missing == "primary"]
    assert missing.compatible == 1 and missing.nearest[0].codes == ("cap",)


def test_priority_decides_who_is_paired_when_volunteers_are_short() -> None:
    problem = _small()
    one = dataclasses.replace(problem.volunteers[0], max_households=1)
    low, high = problem.households
    problem = problem.replace(
        volunteers=(one,),
        households=(dataclasses.replace(low, priority=2), dataclasses.replace(high, priority=5)),
    )
    result = pair_households(problem, params=PARAMS)
    assert [p.household_id for p in result.pairs] == [high.id]


# --- a small problem where each rule can be broken --------------------------------------


def _volunteer(vid: str, **fields: object) -> Volunteer:
    base: dict[str, object] = {
        "id": vid,
        "name": f"志愿者{vid}",
        "role": Role.STUDENT,
        "membership": Membership.LEAGUE,
        "department": "学院",
        "languages": ("普通话", "柳州话"),
        "gender": Gender.FEMALE,
        "skills": (Skill("辅导功课", 2),),
        "home_area": "一区",
        "max_travel": 20,
    }
    base.update(fields)
    return Volunteer(**base)  # type: ignore[arg-type]


def _household(hid: str, **fields: object) -> Household:
    base: dict[str, object] = {
        "id": hid,
        "address": "1栋101（虚构）",
        "category": HouseholdCategory.ELDERLY_ALONE,
        "area": "一区",
        "languages": ("柳州话",),
        "support": Support.ONE_TO_ONE,
        "required_gender": Gender.FEMALE,
        "skills": (Skill("辅导功课", 2),),
        "visit_days": (6,),
        "visit_times": ((540, 690),),
    }
    base.update(fields)
    return Household(**base)  # type: ignore[arg-type]


def _small() -> Problem:
    """One volunteer (cap 2) compatible with two households, and a travel table."""
    from matcher.calendar import build_horizon

    return Problem(
        horizon=build_horizon(dt.date(2026, 9, 19), dt.date(2026, 9, 27)),
        volunteers=(_volunteer("V1"),),
        needs=(),
        households=(_household("H1"), _household("H2")),
        availability=(AvailabilityWindow("V1", 510, 720, weekday=6),),
        travel=(Travel("一区", "二区", 30),),
    )


BREAKS = {
    "language": lambda v, h: (v, dataclasses.replace(h, languages=("壮语",))),
    "gender": lambda v, h: (dataclasses.replace(v, gender=Gender.MALE), h),
    "skill": lambda v, h: (v, dataclasses.replace(h, skills=(Skill("辅导功课", 3),))),
    "reach": lambda v, h: (v, dataclasses.replace(h, area="二区")),
    "availability": lambda v, h: (v, dataclasses.replace(h, visit_days=(7,))),
    "refused": lambda v, h: (v, dataclasses.replace(h, refused=("V1",))),
}
"""Each hard rule of a pair, broken by one change to the volunteer or the household."""


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_keeps_a_volunteer_out_and_the_checker_catches_it(rule: str) -> None:
    problem = _small()
    assert {p.household_id for p in pair_households(problem, params=PARAMS).pairs} == {"H1", "H2"}
    volunteer, household = BREAKS[rule](problem.volunteers[0], problem.households[0])
    broken = problem.replace(volunteers=(volunteer,), households=(household, problem.households[1]))
    screen = PairingScreen(broken)
    assert screen.eligible(household).size == 0
    assert [r for r, mask in screen.broken(household).items() if mask[0]] == [rule]
    result = pair_households(broken, params=PARAMS)
    assert "H1" not in {p.household_id for p in result.pairs}
    # the injected violation: the pair the rule forbids
    violations = check_pairing(broken, [SupportPair("H1", "V1")])
    assert [v.rule for v in violations] == [rule]


def test_a_forbidden_pair_keeps_them_apart() -> None:
    problem = _small()
    problem = problem.replace(pairs=(Pair("V1", household_id="H1", forbidden=True),))
    assert "H1" not in {p.household_id for p in pair_households(problem, params=PARAMS).pairs}
    assert [v.rule for v in check_pairing(problem, [SupportPair("H1", "V1")])] == ["refused"]


def test_visits_on_given_dates_need_a_window_on_one_of_them() -> None:
    problem = _small()
    dated = dataclasses.replace(
        problem.households[0],
        visit_frequency=VisitFrequency.DATES,
        visit_dates=(dt.date(2026, 10, 4),),  # a Sunday: V1 is free on Saturdays only
    )
    problem = problem.replace(households=(dated, problem.households[1]))
    assert PairingScreen(problem).eligible(dated).size == 0
    assert [v.rule for v in check_pairing(problem, [SupportPair("H1", "V1")])] == ["availability"]
    on_saturday = dataclasses.replace(dated, visit_dates=(dt.date(2026, 10, 3),))
    problem = problem.replace(households=(on_saturday, problem.households[1]))
    assert PairingScreen(problem).eligible(on_saturday).tolist() == [0]
    assert check_pairing(problem, [SupportPair("H1", "V1")]) == []


INJECTED = {
    "unknown-household": [SupportPair("H9", "V0001")],
    "unknown-volunteer": "unknown backup",
    "not-supported": [SupportPair("H010", "V0001")],
    "duplicate-household": "twice",
    "same-volunteer": "same",
    "cap": "over cap",
}
"""Violations of the rules that are about the pairing itself, injected into the sample's."""


@pytest.mark.parametrize("rule", sorted(INJECTED))
def test_the_checker_catches_an_injected_violation(rule: str) -> None:
    problem = sample()
    pairs = list(sample_pairing())
    injected = INJECTED[rule]
    if injected == "twice":
        pairs.append(pairs[0])
    elif injected == "unknown backup":
        pairs[0] = dataclasses.replace(pairs[0], backup_id="V9999")
    elif injected == "same":
        pairs[0] = dataclasses.replace(pairs[0], backup_id=pairs[0].primary_id)
    elif injected == "over cap":
        volunteer = problem.volunteer(pairs[0].primary_id)
        few = dataclasses.replace(volunteer, max_households=0)
        problem = problem.replace(
            volunteers=tuple(few if v.id == volunteer.id else v for v in problem.volunteers)
        )
    else:
        pairs += injected  # type: ignore[arg-type]
    rules = {v.rule for v in check_pairing(problem, pairs)}
    assert rule in rules
    # nothing unrelated (a pair twice counts its volunteers twice, which may pass a cap)
    assert rules <= {rule, "language", "gender", "availability", "skill", "cap"}


def test_the_checker_knows_every_rule_tested() -> None:
    assert set(PAIRING_RULES) == set(INJECTED) | set(BREAKS)


# --- minimal change ---------------------------------------------------------------------


def test_re_pairing_after_a_volunteer_leaves_changes_only_their_pairs() -> None:
    problem = sample()
    before = sample_pairing()
    leaving = before[3].primary_id
    theirs = {p.household_id for p in before if leaving in (p.primary_id, p.backup_id)}
    after_problem = problem.replace(
        volunteers=tuple(v for v in problem.volunteers if v.id != leaving),
        availability=tuple(w for w in problem.availability if w.volunteer_id != leaving),
        blackouts=tuple(b for b in problem.blackouts if b.volunteer_id != leaving),
        pairs=tuple(p for p in problem.pairs if p.volunteer_id != leaving),
        pins=tuple(p for p in problem.pins if p.volunteer_id != leaving),
        history=tuple(h for h in problem.history if h.volunteer_id != leaving),
    )
    after = pair_households(after_problem, before, PARAMS).pairs
    assert check_pairing(after_problem, after) == []
    changed = {p.household_id for p in set(after) ^ set(before)}
    assert changed == theirs
    changes = pairing_changes(after_problem, before, after, PairingScreen(after_problem))
    assert {c.household_id for c in changes} == theirs
    left = [c for c in changes if c.previous_id == leaving]
    assert left and all(c.code == "volunteer_left" and leaving in c.reason for c in left)
    assert all(c.reason for c in changes)


def test_a_volunteer_over_their_new_cap_loses_one_household_only() -> None:
    problem = sample()
    before = sample_pairing()
    loads: dict[str, list[str]] = {}
    for p in before:
        for v in (p.primary_id, p.backup_id):
            loads.setdefault(v or "", []).append(p.household_id)
    busy = next(v for v, hs in loads.items() if len(hs) == 2)
    one = dataclasses.replace(problem.volunteer(busy), max_households=1)
    capped = problem.replace(
        volunteers=tuple(one if v.id == busy else v for v in problem.volunteers)
    )
    after = pair_households(capped, before, PARAMS).pairs
    changes = pairing_changes(capped, before, after, PairingScreen(capped))
    assert len({c.household_id for c in changes}) == 1
    assert [c.code for c in changes if c.previous_id == busy] == ["over_cap"]


def test_a_change_that_pairs_another_household_is_made_and_said() -> None:
    # V1 is the primary of H1 and could also serve H2, the only household V2 cannot
    # reach; the previous pairing gave V1 both roles elsewhere: re-pairing moves one
    problem = _small()
    v2 = _volunteer("V2")
    h2 = dataclasses.replace(problem.households[1], area="二区")  # V2 cannot reach it
    problem = problem.replace(
        volunteers=(
            dataclasses.replace(problem.volunteers[0], max_travel=None, max_households=1),
            v2,
        ),
        households=(problem.households[0], h2),
        availability=(*problem.availability, AvailabilityWindow("V2", 510, 720, weekday=6)),
    )
    before = [SupportPair("H1", "V1")]
    result = pair_households(problem, before, PARAMS)
    assert {(p.household_id, p.primary_id) for p in result.pairs} == {("H1", "V2"), ("H2", "V1")}
    changes = pairing_changes(problem, before, result.pairs, PairingScreen(problem))
    h1 = [c for c in changes if c.household_id == "H1" and c.role == "primary"]
    assert [c.code for c in h1] == ["to_pair_others"]


def test_continuity_counts_visits_by_the_primary() -> None:
    problem = sample()
    pairs = sample_pairing()
    rows = {r.household_id: r for r in continuity(problem, pairs, PairingScreen(problem), 8)}
    weekly = rows["H001"]
    assert weekly.visits == 8 and weekly.by_primary + weekly.by_backup + weekly.by_others == 8
    assert rows["H005"].visits == 4  # fortnightly
    assert rows["H012"].visits == 3  # on three given dates inside eight weeks
    paired = [r for r in rows.values() if r.primary_id]
    share = sum(r.by_primary for r in paired) / sum(r.visits for r in paired)
    assert share >= 0.9
    assert sum(r.distinct_volunteers for r in paired) / len(paired) <= 2
