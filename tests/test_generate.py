"""Tests of the synthetic data generator and the sample community."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from matcher.domain import Gender, Membership, NeedCategory, Problem, Role
from matcher.eligibility import build_eligibility
from matcher.generate import (
    COMMUNITY,
    DEFAULT_START,
    DEPARTMENTS,
    community_a,
    describe,
    festivals_between,
    generate_problem,
)
from matcher.validate import problem_issues

ROOT = Path(__file__).resolve().parent.parent
COMMUNITY_A = ROOT / "datasets" / "community_a"


def has_team_rule(need) -> bool:
    return bool(
        need.lead_required
        or need.joint_departments
        or need.required_gender
        or need.required_languages
    )


@pytest.fixture(scope="module")
def big() -> tuple[Problem, float]:
    started = time.perf_counter()
    problem = generate_problem(5000, 1500, seed=1)
    return problem, time.perf_counter() - started


def assert_valid(problem: Problem) -> None:
    """The rules of a valid problem (matcher.validate), and what the generator adds to them."""
    assert problem_issues(problem) == []
    service = set(problem.horizon.service_days)
    for v in problem.volunteers:
        assert "普通话" in v.languages
        assert re.fullmatch(r"199-00\d\d-\d{4}", v.phone)
    for w in problem.availability:
        assert 0 <= w.start < w.end <= 24 * 60
    for n in problem.needs:
        assert n.duration > 0
        if n.date is not None:
            assert n.date in service
            assert 0 <= n.start < n.end <= 24 * 60
        if n.joint_departments:
            assert n.min_volunteers >= len(n.joint_departments)


def test_same_seed_same_problem() -> None:
    assert generate_problem(300, 90, seed=5) == generate_problem(300, 90, seed=5)
    assert generate_problem(300, 90, seed=5) != generate_problem(300, 90, seed=6)


def test_big_problem_is_fast(big: tuple[Problem, float]) -> None:
    _, seconds = big
    assert seconds < 10


def test_big_problem_is_valid(big: tuple[Problem, float]) -> None:
    problem, _ = big
    assert len(problem.volunteers) == 5000
    assert len(problem.needs) == 1500
    assert len(problem.households) == 150
    assert_valid(problem)


def test_volunteer_mix(big: tuple[Problem, float]) -> None:
    problem, _ = big
    count = len(problem.volunteers)
    roles = Counter(v.role for v in problem.volunteers)
    assert 0.70 < roles[Role.STUDENT] / count < 0.80
    assert 0.16 < roles[Role.TEACHER] / count < 0.24
    assert roles[Role.STAFF] > 0 and roles[Role.RESIDENT] > 0
    assert all(v.department == COMMUNITY for v in problem.volunteers if v.role == Role.RESIDENT)
    students = [v for v in problem.volunteers if v.role == Role.STUDENT]
    memberships = Counter(v.membership for v in students)
    assert memberships.most_common(1)[0][0] == Membership.LEAGUE
    assert 0.2 < memberships[Membership.NONE] / len(students) < 0.3
    assert set(memberships) == set(Membership)
    teachers = [v for v in problem.volunteers if v.role == Role.TEACHER]
    assert sum(v.membership.is_party for v in teachers) / len(teachers) > 0.6
    assert {v.department for v in problem.volunteers} == {d.name for d in DEPARTMENTS}
    assert {v.gender for v in problem.volunteers} == {Gender.MALE, Gender.FEMALE}
    assert {lang for v in problem.volunteers for lang in v.languages} >= {"柳州话", "壮语", "英语"}
    # Skills are sparse and follow the department.
    assert sum(len(v.skills) for v in problem.volunteers) / count < 2
    repairers = Counter(v.department for v in problem.volunteers if v.skill_level("汽车维修"))
    assert repairers.most_common(1)[0][0] == "装备制造学院"
    assert len({v.phone for v in problem.volunteers}) == count


def test_availability_is_weekend_heavy(big: tuple[Problem, float]) -> None:
    problem, _ = big
    recurring = {w.volunteer_id for w in problem.availability if w.weekday is not None}
    assert len(recurring) / len(problem.volunteers) > 0.85
    assert {w.weekday for w in problem.availability if w.weekday is not None} == {6, 7}
    dated = [w for w in problem.availability if w.date is not None]
    assert dated and all(w.date in problem.horizon.service_days for w in dated)
    assert 0 < len(problem.blackouts) < 0.1 * len(problem.volunteers)


def test_need_mix(big: tuple[Problem, float]) -> None:
    problem, _ = big
    needs = problem.needs
    count = len(needs)
    assert 0.27 < sum(has_team_rule(n) for n in needs) / count < 0.33
    assert 0.15 < sum(n.is_flexible for n in needs) / count < 0.25
    untimed = [n for n in needs if not n.is_timed]
    assert 0.03 < len(untimed) / count < 0.07
    assert all(n.category == NeedCategory.MICRO_WISH and n.household_id for n in untimed)
    assert any(n.joint_departments == ("装备制造学院", "自动控制学院") for n in needs)
    assert any(n.required_languages == ("柳州话",) for n in needs)
    assert any(n.required_gender == Gender.FEMALE for n in needs)
    assert 1 <= sum(n.must_cover for n in needs) <= 0.02 * count
    assert len(problem.pins) == 2
    categories = Counter(n.category for n in needs)
    assert set(categories) == set(NeedCategory)
    assert categories.most_common(1)[0][0] == NeedCategory.ELDERLY_CARE
    assert {n.priority for n in needs} == {1, 2, 3, 4, 5}
    used_days = {n.date for n in needs if n.date is not None}
    assert used_days == set(problem.horizon.service_days)


def test_households_pairs_history(big: tuple[Problem, float]) -> None:
    problem, _ = big
    assert {h.category.value for h in problem.households} >= {
        "elderly-alone",
        "family-in-difficulty",
        "disabled",
        "left-behind-child",
    }
    assert all(re.fullmatch(r"\d+栋\d单元\d0\d", h.address) for h in problem.households)
    assert any(p.forbidden for p in problem.pairs)
    assert any(p.affinity > 0 and p.household_id for p in problem.pairs)
    assert any(p.extra_minutes > 0 for p in problem.pairs)
    start = problem.horizon.start
    assert all(start - dt.timedelta(days=56) <= e.date < start for e in problem.history)
    served = {e.volunteer_id for e in problem.history}
    assert 0.55 < len(served) / len(problem.volunteers) < 0.65
    attended = sum(e.attended for e in problem.history) / len(problem.history)
    assert 0.8 < attended < 0.97
    assert any(e.household_id for e in problem.history)


def test_default_horizon_holds_festivals() -> None:
    problem = generate_problem(50, 10)
    horizon = problem.horizon
    assert horizon.start == DEFAULT_START
    assert horizon.end == DEFAULT_START + dt.timedelta(days=13)
    assert dict(horizon.festivals) == {
        dt.date(2026, 9, 25): "中秋节",
        dt.date(2026, 10, 1): "国庆节",
    }
    assert dt.date(2026, 9, 20) in horizon.makeup_days
    assert dt.date(2026, 9, 20) not in horizon.service_days


def test_festivals_between() -> None:
    assert festivals_between(dt.date(2025, 10, 1), dt.date(2025, 10, 31)) == (
        (dt.date(2025, 10, 1), "国庆节"),
        (dt.date(2025, 10, 6), "中秋节"),
        (dt.date(2025, 10, 29), "重阳节"),
    )
    assert festivals_between(dt.date(2026, 3, 1), dt.date(2026, 3, 7)) == (
        (dt.date(2026, 3, 3), "元宵节"),
        (dt.date(2026, 3, 5), "学雷锋纪念日"),
    )


def test_generated_problem_is_feasible_by_eligibility() -> None:
    problem = generate_problem(1000, 300, seed=2)
    assert_valid(problem)
    eligibility = build_eligibility(problem)  # raises if a pin is not eligible
    enough = [
        funnel["budget"] >= need.min_volunteers
        for need, funnel in zip(problem.needs, eligibility.funnel, strict=True)
    ]
    assert sum(enough) / len(enough) > 0.9
    for need, funnel in zip(problem.needs, eligibility.funnel, strict=True):
        if need.must_cover:
            assert funnel["budget"] >= 3 * need.min_volunteers


def test_small_and_odd_sizes() -> None:
    tiny = generate_problem(1, 0, seed=3)
    assert len(tiny.volunteers) == 1 and tiny.needs == () and len(tiny.households) == 15
    assert_valid(tiny)
    week = generate_problem(40, 12, seed=4, start=dt.date(2026, 3, 2), weeks=1)
    assert week.horizon.end == dt.date(2026, 3, 8)
    assert dict(week.horizon.festivals) == {
        dt.date(2026, 3, 3): "元宵节",
        dt.date(2026, 3, 5): "学雷锋纪念日",
    }
    assert_valid(week)
    with pytest.raises(ValueError):
        generate_problem(0, 5)
    with pytest.raises(ValueError):
        generate_problem(5, 5, weeks=0)


def test_areas() -> None:
    problem = generate_problem(200, 60, seed=1, areas=12)
    areas = {v.home_area for v in problem.volunteers}
    assert len(areas) == 12
    assert {n.area for n in problem.needs} <= areas
    assert {h.area for h in problem.households} <= areas
    default = generate_problem(20_500, 10, seed=1)
    assert len({v.home_area for v in default.volunteers}) == 41
    assert len({v.home_area for v in generate_problem(300, 10).volunteers}) == 4


def test_largest_size_in_well_under_a_minute() -> None:
    started = time.perf_counter()
    problem = generate_problem(50_000, 15_000, seed=7)
    assert time.perf_counter() - started < 30
    assert len(problem.volunteers) == 50_000 and len(problem.needs) == 15_000
    # The L size is a city: everyone serves near home.
    assert all(v.max_travel is not None for v in problem.volunteers)


def test_no_travel_limits_outside_a_city(big: tuple[Problem, float]) -> None:
    problem, _ = big
    assert all(v.max_travel is None for v in problem.volunteers)
    assert all(v.max_travel is None for v in generate_problem(300, 90, seed=1).volunteers)


def test_a_city_falls_apart_into_street_offices() -> None:
    from matcher.decompose import find_parts
    from matcher.eligibility import find_candidates

    problem = generate_problem(3000, 900, seed=1, areas=8, city=True)
    assert_valid(problem)
    assert {v.max_travel for v in problem.volunteers} == {0, 10, 15, 20}
    areas = sorted({v.home_area for v in problem.volunteers})
    listed = {(t.origin, t.destination) for t in problem.travel}
    # Every pair of areas is listed: the travel default must not bring far areas near.
    assert all(
        (a, b) in listed or (b, a) in listed for i, a in enumerate(areas) for b in areas[i + 1 :]
    )
    eligibility = build_eligibility(problem)  # raises if a pin is too far from home
    for need, funnel in zip(problem.needs, eligibility.funnel, strict=True):
        if need.must_cover:
            assert funnel["budget"] >= 3 * need.min_volunteers
    candidates = find_candidates(problem)
    parts = find_parts(candidates.volunteers, len(problem.volunteers))
    assert len(parts) > 1
    for part in parts:
        homes = {problem.volunteers[v].home_area for v in part.volunteers.tolist()}
        assert 1 <= len(homes) <= 3
        # Areas of one part are near each other; of different parts, far apart.
        for a in homes:
            for b in homes - {a}:
                assert problem.travel_minutes(a, b, 10) <= 20
    first, second = parts[0], parts[1]
    a = problem.volunteers[int(first.volunteers[0])].home_area
    b = problem.volunteers[int(second.volunteers[0])].home_area
    assert problem.travel_minutes(a, b, 10) >= 28


# --- the sample community -------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Problem:
    return community_a()


def test_community_a_on_disk_is_regenerated(sample: Problem) -> None:
    from matcher.io import load_dataset

    assert load_dataset(COMMUNITY_A) == sample


def test_readme_describes_community_a(sample: Problem) -> None:
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- describe:begin -->\n")[1].split("<!-- describe:end -->")[0]
    assert block == describe(sample)


def test_community_a_shape(sample: Problem) -> None:
    assert_valid(sample)
    horizon = sample.horizon
    assert horizon.service_days == (
        dt.date(2026, 9, 19),
        dt.date(2026, 9, 25),
        dt.date(2026, 9, 26),
        dt.date(2026, 9, 27),
    )
    assert horizon.makeup_days == (dt.date(2026, 9, 20),)
    assert horizon.festivals == ((dt.date(2026, 9, 25), "中秋节"),)
    assert len(sample.volunteers) == 200
    assert len(sample.needs) == 60
    assert len(sample.households) >= 15
    assert {v.department for v in sample.volunteers} == {d.name for d in DEPARTMENTS}
    assert not any(v.skill_level("手语") for v in sample.volunteers)
    fair = sample.need("N026")
    assert fair.joint_departments == ("装备制造学院", "自动控制学院")
    assert fair.lead_required and (fair.min_volunteers, fair.max_volunteers) == (4, 8)
    assert sum(1 for n in sample.needs if n.date == dt.date(2026, 9, 25)) >= 10
    assert sum(1 for n in sample.needs if not n.is_timed) >= 5
    assert len(sample.pins) == 2 and sample.history


def test_community_a_is_staffable_except_on_purpose(sample: Problem) -> None:
    eligibility = build_eligibility(sample)
    for need, funnel in zip(sample.needs, eligibility.funnel, strict=True):
        if need.id == "N033":  # 手语: nobody has the skill
            assert funnel["skill"] == 0
        elif need.id == "N024":  # the evening lantern riddles: nobody is free
            assert funnel["skill"] == 200 and funnel["availability"] == 0
        else:
            assert funnel["budget"] >= need.min_volunteers, need.id
        if need.must_cover:
            assert funnel["budget"] >= 3 * need.min_volunteers
