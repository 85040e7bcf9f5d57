"""Volunteers: who they are, what they can do, and the arrays the generator reads.

Teachers, students, staff and residents of the community, with the mix of
roles, party memberships, departments, genders, skills and languages of a
railway vocational college paired with a community in Liuzhou.  Everything
is drawn as arrays over all volunteers at once; :class:`Pool` keeps those
arrays so that needs, must-cover reservations and the sample's pins can ask
"who could take this need?" without building the eligibility of the solver.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Gender,
    Horizon,
    Membership,
    Need,
    Role,
    Skill,
    Volunteer,
)
from matcher.generate.arrays import BoolArray, IntArray, LevelArray
from matcher.generate.availability import draw_availability
from matcher.generate.city import City
from matcher.generate.vocabulary import (
    COLLEGE,
    COMMUNITY,
    DEPARTMENTS,
    GIVEN_ANY,
    GIVEN_FEMALE,
    GIVEN_MALE,
    LANGUAGES,
    SKILL_CODE,
    SKILLS,
    SURNAMES,
)

# Probability that a volunteer of a department has a skill (all others: _BASE_SKILL).
_BASE_SKILL = 0.015
_SKILL_PROPENSITY: dict[str, dict[str, float]] = {
    "装备制造学院": {
        "家电维修": 0.35,
        "汽车维修": 0.3,
        "自行车维修": 0.25,
        "电工": 0.2,
        "搬运": 0.15,
    },
    "自动控制学院": {"家电维修": 0.35, "电工": 0.4, "电脑维修": 0.2, "汽车维修": 0.12, "搬运": 0.1},
    "马克思主义学院": {"党史宣讲": 0.55, "书法": 0.12, "陪伴聊天": 0.15, "垃圾分类宣讲": 0.1},
    "铁道运输学院": {"陪伴聊天": 0.3, "急救": 0.2, "文艺表演": 0.15, "垃圾分类宣讲": 0.15},
    "铁道工程学院": {"搬运": 0.3, "电工": 0.12, "垃圾分类宣讲": 0.1, "摄影宣传": 0.08},
    "通信与信息学院": {"电脑维修": 0.4, "摄影宣传": 0.2, "辅导功课": 0.15, "家电维修": 0.1},
    "经济管理学院": {"辅导功课": 0.35, "陪伴聊天": 0.2, "文艺表演": 0.12, "书法": 0.08},
    "国际教育学院": {"英语辅导": 0.45, "辅导功课": 0.25, "文艺表演": 0.2, "书法": 0.08},
    COMMUNITY: {"陪伴聊天": 0.4, "理发": 0.15, "健康监测": 0.2, "书法": 0.1, "急救": 0.08},
}
# Skills that need no department: haircuts and first aid turn up everywhere.
_SKILL_ANYWHERE = {"理发": 0.03, "急救": 0.04, "健康监测": 0.02, "手语": 0.004}

ROLES = (Role.STUDENT, Role.TEACHER, Role.STAFF, Role.RESIDENT)
_ROLE_P = (0.75, 0.20, 0.03, 0.02)
_MEMBERSHIPS = (
    Membership.PARTY,
    Membership.PROBATIONARY,
    Membership.ACTIVIST,
    Membership.LEAGUE,
    Membership.NONE,
)
# Membership mix per role, in _MEMBERSHIPS order.
_MEMBERSHIP_P = {
    Role.STUDENT: (0.04, 0.05, 0.13, 0.53, 0.25),
    Role.TEACHER: (0.72, 0.03, 0.02, 0.0, 0.23),
    Role.STAFF: (0.40, 0.02, 0.03, 0.0, 0.55),
    Role.RESIDENT: (0.30, 0.0, 0.0, 0.0, 0.70),
}
# Department sizes per role (college departments in COLLEGE order).
_DEPT_P = {
    Role.STUDENT: (0.18, 0.16, 0.01, 0.17, 0.15, 0.14, 0.11, 0.08),
    Role.TEACHER: (0.15, 0.13, 0.14, 0.14, 0.12, 0.12, 0.10, 0.10),
    Role.STAFF: (0.14, 0.12, 0.10, 0.14, 0.14, 0.12, 0.12, 0.12),
}
# Share of women per department (a railway college: engineering is mostly men).
_FEMALE_P = {
    "装备制造学院": 0.15,
    "自动控制学院": 0.2,
    "马克思主义学院": 0.6,
    "铁道运输学院": 0.5,
    "铁道工程学院": 0.2,
    "通信与信息学院": 0.35,
    "经济管理学院": 0.65,
    "国际教育学院": 0.6,
    COMMUNITY: 0.65,
}


def _names(rng: np.random.Generator, female: BoolArray) -> list[str]:
    """Synthetic Chinese names: a common surname and one or two given characters."""
    count = female.shape[0]
    surname = rng.integers(0, len(SURNAMES), count)
    male_pool = GIVEN_MALE + GIVEN_ANY
    female_pool = GIVEN_FEMALE + GIVEN_ANY
    first = np.where(
        female,
        rng.integers(0, len(female_pool), count),
        rng.integers(0, len(male_pool), count),
    )
    second = np.where(
        female,
        rng.integers(0, len(GIVEN_FEMALE), count),
        rng.integers(0, len(GIVEN_MALE), count),
    )
    two = rng.random(count) < 0.7
    names = []
    for s, f, g, fem, t in zip(
        surname.tolist(),
        first.tolist(),
        second.tolist(),
        female.tolist(),
        two.tolist(),
        strict=True,
    ):
        pool = female_pool if fem else male_pool
        tail = GIVEN_FEMALE if fem else GIVEN_MALE
        given = pool[f] + tail[g] if t else tail[g]
        names.append(SURNAMES[s] + given)
    return names


@dataclasses.dataclass(frozen=True)
class Pool:
    """Volunteers as arrays, for drawing needs and checking who can take them."""

    ids: list[str]
    role: IntArray  # index into ROLES
    department: IntArray  # index into DEPARTMENTS
    female: BoolArray
    level: LevelArray  # volunteers x SKILLS
    speaks: BoolArray  # volunteers x LANGUAGES
    can_lead: BoolArray
    max_minutes: IntArray
    window_start: IntArray  # volunteers x service days (0, 0 = no window)
    window_end: IntArray
    city: City | None = None
    home: IntArray | None = None  # index into the city's areas

    @property
    def count(self) -> int:
        """Number of volunteers."""
        return len(self.ids)

    def near(self, area: str) -> BoolArray:
        """Volunteers whose ``max_travel`` reaches ``area`` (everyone outside a city).

        Parameters
        ----------
        area
            One of the city's areas.

        Returns
        -------
        numpy.ndarray of bool
            One entry per volunteer.
        """
        if self.city is None or self.home is None:
            return np.ones(self.count, dtype=bool)
        city = self.city
        minutes = city.minutes[self.home, city.code[area]]
        return (city.max_travel < 0) | (minutes <= city.max_travel)

    def eligible(self, need: Need, day_index: dict[dt.date, int]) -> BoolArray:
        """Volunteers who meet every per-volunteer rule of a need (not the team rules).

        Parameters
        ----------
        need
            Any need of the problem.
        day_index
            Column of each service day in ``window_start`` and ``window_end``.

        Returns
        -------
        numpy.ndarray of bool
            One entry per volunteer: skills, departments, gender, hours
            budget, reach and (for a timed need) a window long enough.
        """
        mask = np.ones(self.count, dtype=bool)
        for skill in need.skills:
            mask &= self.level[:, SKILL_CODE[skill.name]] >= skill.level
        if need.departments:
            codes = [k for k, d in enumerate(DEPARTMENTS) if d.name in need.departments]
            mask &= np.isin(self.department, codes)
        if need.required_gender is not None:
            mask &= self.female if need.required_gender == Gender.FEMALE else ~self.female
        mask &= self.max_minutes >= need.duration
        if self.city is not None:
            mask &= self.near(need.area)
        if need.date is None:
            mask &= (self.window_end > 0).any(axis=1)
            return mask
        j = day_index.get(need.date)
        if j is None:
            return np.zeros(self.count, dtype=bool)
        assert need.start is not None and need.end is not None
        lo = np.maximum(self.window_start[:, j], need.start)
        hi = np.minimum(self.window_end[:, j], need.end)
        mask &= (hi - lo >= need.duration) & (self.window_end[:, j] > 0)
        return mask


@dataclasses.dataclass(frozen=True)
class _Traits:
    """What is drawn for every volunteer, as arrays in volunteer order."""

    role: IntArray  # index into ROLES
    membership: IntArray  # index into _MEMBERSHIPS
    department: IntArray  # index into DEPARTMENTS
    female: BoolArray
    level: LevelArray  # volunteers x SKILLS, 0 = no such skill
    speaks: BoolArray  # volunteers x LANGUAGES
    max_shifts: IntArray
    max_hours: IntArray
    home: IntArray  # index into the areas


def _draw_affiliation(
    rng: np.random.Generator, count: int
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Role, party membership, department and gender (female or not) of each volunteer."""
    role = rng.choice(len(ROLES), size=count, p=_ROLE_P)
    department = np.empty(count, dtype=np.int64)
    membership = np.empty(count, dtype=np.int64)
    community = len(DEPARTMENTS) - 1
    for r, role_value in enumerate(ROLES):
        mask = role == r
        k = int(mask.sum())
        membership[mask] = rng.choice(len(_MEMBERSHIPS), size=k, p=_MEMBERSHIP_P[role_value])
        if role_value == Role.RESIDENT:
            department[mask] = community
        else:
            department[mask] = rng.choice(len(COLLEGE), size=k, p=_DEPT_P[role_value])
    female_p = np.array([_FEMALE_P[d.name] for d in DEPARTMENTS])[department]
    female = rng.random(count) < female_p
    return role, membership, department, female


def _draw_skill_levels(
    rng: np.random.Generator, role: IntArray, department: IntArray
) -> LevelArray:
    """Skill levels, volunteers x SKILLS (0 = none): sparse, by department, higher for teachers."""
    count = role.shape[0]
    propensity = np.full((len(DEPARTMENTS), len(SKILLS)), _BASE_SKILL)
    for d, dept in enumerate(DEPARTMENTS):
        for name, p in _SKILL_PROPENSITY[dept.name].items():
            propensity[d, SKILL_CODE[name]] = p
    for name, p in _SKILL_ANYWHERE.items():
        propensity[:, SKILL_CODE[name]] = np.maximum(propensity[:, SKILL_CODE[name]], p)
    has = rng.random((count, len(SKILLS))) < propensity[department]
    teacher = role == ROLES.index(Role.TEACHER)
    level_draw = np.where(
        teacher[:, None],
        rng.choice(3, size=(count, len(SKILLS)), p=(0.3, 0.4, 0.3)),
        rng.choice(3, size=(count, len(SKILLS)), p=(0.55, 0.3, 0.15)),
    )
    return np.where(has, level_draw + 1, 0).astype(np.int8)


def _draw_languages(rng: np.random.Generator, role: IntArray, department: IntArray) -> BoolArray:
    """Languages spoken, volunteers x LANGUAGES."""
    # Everyone speaks 普通话; locals 柳州话, a few 壮语, some English.
    count = role.shape[0]
    liuzhou_p = np.array([0.25, 0.4, 0.6, 0.9])[role]
    english_p = np.array([0.15, 0.3, 0.05, 0.02])[role]
    english_p = np.where(department == COLLEGE.index("国际教育学院"), 0.6, english_p)
    speaks = np.ones((count, len(LANGUAGES)), dtype=bool)
    speaks[:, 1] = rng.random(count) < liuzhou_p
    speaks[:, 2] = rng.random(count) < 0.08
    speaks[:, 3] = rng.random(count) < english_p
    return speaks


def _draw_traits(rng: np.random.Generator, count: int, areas: int) -> _Traits:
    """Everything drawn per volunteer but the name, in the generator's fixed order."""
    role, membership, department, female = _draw_affiliation(rng, count)
    level = _draw_skill_levels(rng, role, department)
    speaks = _draw_languages(rng, role, department)
    max_shifts = rng.choice((1, 2, 3), size=count, p=(0.3, 0.45, 0.25))
    max_hours = rng.choice((4, 6, 8, 10, 12), size=count, p=(0.2, 0.3, 0.3, 0.1, 0.1))
    home = rng.integers(0, areas, count)
    return _Traits(role, membership, department, female, level, speaks, max_shifts, max_hours, home)


def _as_volunteers(
    traits: _Traits,
    ids: Sequence[str],
    names: Sequence[str],
    areas: Sequence[str],
    reach: Sequence[int | None],
) -> list[Volunteer]:
    """The drawn arrays as :class:`~matcher.domain.Volunteer` records."""
    count = len(ids)
    # Volunteers share Skill objects and language tuples: one each per
    # distinct value, not per volunteer, at 50,000 volunteers.
    skill_cache = {(s, lv): Skill(SKILLS[s], lv) for s in range(len(SKILLS)) for lv in (1, 2, 3)}
    lang_cache: dict[tuple[bool, ...], tuple[str, ...]] = {}
    volunteers = []
    rows, cols = np.nonzero(traits.level)
    bounds = np.searchsorted(rows, np.arange(count + 1))
    levels = traits.level[rows, cols].tolist()
    cols_list = cols.tolist()
    speaks_rows = [tuple(r) for r in traits.speaks.tolist()]
    # Python lists, not numpy scalars, for the per-volunteer loop (faster).
    role, membership = traits.role.tolist(), traits.membership.tolist()
    department, female = traits.department.tolist(), traits.female.tolist()
    max_shifts, max_hours = traits.max_shifts.tolist(), traits.max_hours.tolist()
    home = traits.home.tolist()
    for i in range(count):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        skills = tuple(skill_cache[(cols_list[k], levels[k])] for k in range(lo, hi))
        key = speaks_rows[i]
        langs = lang_cache.get(key)
        if langs is None:
            langs = tuple(lang for lang, yes in zip(LANGUAGES, key, strict=True) if yes)
            lang_cache[key] = langs
        volunteers.append(
            Volunteer(
                id=ids[i],
                name=names[i],
                role=ROLES[role[i]],
                membership=_MEMBERSHIPS[membership[i]],
                department=DEPARTMENTS[department[i]].name,
                skills=skills,
                languages=langs,
                gender=Gender.FEMALE if female[i] else Gender.MALE,
                max_shifts=max_shifts[i],
                max_minutes=max_hours[i] * 60,
                phone=f"199-00{(i + 1) // 10000:02d}-{(i + 1) % 10000:04d}",
                home_area=areas[home[i]],
                max_travel=reach[i],
            )
        )
    return volunteers


def draw_volunteers(
    rng: np.random.Generator,
    count: int,
    areas: Sequence[str],
    horizon: Horizon,
    city: City | None = None,
) -> tuple[list[Volunteer], list[AvailabilityWindow], list[Blackout], Pool]:
    """Draw volunteers and their availability.

    Parameters
    ----------
    rng
        Draws who they are, their skills, languages and names, then when
        they are free.
    count
        Number of volunteers.
    areas
        Names of the grid areas volunteers live in.
    horizon
        The planning horizon their availability falls in.
    city
        The city of the areas, whose ``max_travel`` each volunteer gets, or
        None (no travel limit).

    Returns
    -------
    volunteers, windows, blackouts, pool
        The records, their availability windows and blackouts, and the same
        volunteers as arrays for the rest of the generator.
    """
    traits = _draw_traits(rng, count, len(areas))
    names = _names(rng, traits.female)
    width = max(4, len(str(count)))
    ids = [f"V{i + 1:0{width}d}" for i in range(count)]
    reach = city.max_travel.tolist() if city is not None else [None] * count
    volunteers = _as_volunteers(traits, ids, names, areas, reach)
    windows, blackouts, window_start, window_end = draw_availability(rng, ids, horizon)
    teacher = traits.role == ROLES.index(Role.TEACHER)
    party = np.isin(traits.membership, (0, 1))  # party members and probationary ones
    pool = Pool(
        ids=ids,
        role=traits.role,
        department=traits.department,
        female=traits.female,
        level=traits.level,
        speaks=traits.speaks,
        can_lead=teacher | party,
        max_minutes=traits.max_hours * 60,
        window_start=window_start,
        window_end=window_end,
        city=city,
        home=traits.home,
    )
    return volunteers, windows, blackouts, pool
