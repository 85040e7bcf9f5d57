"""Synthetic datasets with the shape of a real college-community programme.

The generator draws volunteers (teachers, students, staff and residents of the
community), their weekend-heavy availability, households, needs, coordinator
pairs and pins, and a service history from one :class:`numpy.random.Generator`,
so a seed always gives the same :class:`~matcher.domain.Problem`.  Everything
is vectorised over volunteers: 50,000 volunteers x 15,000 needs take a few
seconds.

:func:`community_a` is the hand-shaped sample in ``datasets/community_a``: the
generator's volunteers plus a curated list of needs and households for two
weekends and the Mid-Autumn Festival of 2026.

All names, phone numbers and addresses are synthetic.  Phone numbers lie in
the unassigned range ``199-00xx-xxxx``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.calendar import build_horizon
from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Department,
    Gender,
    HistoryEntry,
    Horizon,
    Household,
    HouseholdCategory,
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

__all__ = [
    "COMMUNITY",
    "COMMUNITY_A_SEED",
    "DEFAULT_START",
    "DEPARTMENTS",
    "LANGUAGES",
    "LOCATIONS",
    "SKILLS",
    "community_a",
    "describe",
    "festivals_between",
    "generate_problem",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The community's own entry in ``departments`` (resident volunteers).
COMMUNITY = "A社区"

#: First Saturday of the sample horizon; the Mid-Autumn Festival follows.
DEFAULT_START = dt.date(2026, 9, 19)

#: Seed of the volunteers of :func:`community_a`.
COMMUNITY_A_SEED = 20260919

_C = NeedCategory
_H = HouseholdCategory

#: Departments (二级学院) with the need categories each one suits.
DEPARTMENTS: tuple[Department, ...] = (
    Department("装备制造学院", (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.CLEAN_UP)),
    Department("自动控制学院", (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.OTHER)),
    Department("马克思主义学院", (_C.CULTURE, _C.PUBLICITY)),
    Department("铁道运输学院", (_C.ELDERLY_CARE, _C.PUBLICITY, _C.OTHER)),
    Department("铁道工程学院", (_C.CLEAN_UP, _C.OTHER)),
    Department("通信与信息学院", (_C.REPAIR_APPLIANCE, _C.PUBLICITY, _C.TUTORING)),
    Department("经济管理学院", (_C.TUTORING, _C.MICRO_WISH, _C.ELDERLY_CARE)),
    Department("国际教育学院", (_C.TUTORING, _C.CULTURE)),
    Department(COMMUNITY, (_C.ELDERLY_CARE, _C.CLEAN_UP, _C.MICRO_WISH)),
)
_COLLEGE = tuple(d.name for d in DEPARTMENTS if d.name != COMMUNITY)

#: Skills a volunteer may list (levels 1-3).
SKILLS: tuple[str, ...] = (
    "家电维修",
    "汽车维修",
    "自行车维修",
    "电工",
    "电脑维修",
    "理发",
    "陪伴聊天",
    "健康监测",
    "急救",
    "辅导功课",
    "英语辅导",
    "书法",
    "文艺表演",
    "摄影宣传",
    "垃圾分类宣讲",
    "党史宣讲",
    "手语",
    "搬运",
)
_SKILL_CODE = {name: k for k, name in enumerate(SKILLS)}

#: Languages recorded for volunteers and households.
LANGUAGES: tuple[str, ...] = ("普通话", "柳州话", "壮语", "英语")

#: Places of the community (travel times are between these and the areas).
LOCATIONS: tuple[str, ...] = (
    "社区党群服务中心",
    "社区广场",
    "四点半课堂活动室",
    "社区卫生服务站",
    "小区东门宣传点",
    "社区主干道",
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

_ROLES = (Role.STUDENT, Role.TEACHER, Role.STAFF, Role.RESIDENT)
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
# Department sizes per role (college departments in _COLLEGE order).
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

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韦覃蒙莫潘廖黎蓝卢邓"
    "陆钟梁冯曾彭蒋蔡贾丁魏薛叶阎余杜苏程吕农甘卿"
)
_GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰晨阳泽瑞博文"
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞婷雪慧莹玲琳颖倩洁琴萍红燕丹璐佳欣悦怡馨雯晴蕾月梅兰"
_GIVEN_ANY = "子一思嘉雨天梓俊可诗若海春秋晓家志"

# Recurring weekend slots: none, morning, afternoon, all day (minutes after midnight).
_SLOT_START = np.array([0, 510, 840, 510], dtype=np.int64)  # 08:30, 14:00
_SLOT_END = np.array([0, 720, 1050, 1050], dtype=np.int64)  # 12:00, 17:30
_SLOT_P = (0.25, 0.32, 0.18, 0.25)

# Fixed need slots inside the typical windows.
_AM_SLOTS = ((540, 660), (540, 630), (510, 690), (570, 690), (600, 690))
_PM_SLOTS = ((870, 990), (900, 1020), (870, 1020), (960, 1050), (930, 1020))
# Flexible windows (start, end) per part of day, and their durations.
_FLEX_WINDOWS = {"am": (510, 720), "pm": (840, 1050), "any": (540, 1020)}
_FLEX_DURATIONS = (60, 90, 120)


@dataclasses.dataclass(frozen=True, slots=True)
class _Template:
    """A kind of need the community asks for, with its usual shape."""

    title: str
    skill: str = ""
    level: int = 1
    min_low: int = 1
    min_high: int = 1
    extra: int = 1  # max_volunteers = min_volunteers + 0..extra
    part: str = "any"  # am, pm or any
    location: str = ""
    households: tuple[HouseholdCategory, ...] = ()  # served at home by a household of these
    departments: tuple[str, ...] = ()
    weight: float = 1.0


_ELDER, _POOR, _DISABLED, _CHILD = (
    _H.ELDERLY_ALONE,
    _H.FAMILY_IN_DIFFICULTY,
    _H.DISABLED,
    _H.LEFT_BEHIND_CHILD,
)
_T = _Template
_CENTRE, _SQUARE, _CLASSROOM, _CLINIC, _GATE, _ROAD = LOCATIONS

# fmt: off
_TEMPLATES: dict[NeedCategory, tuple[_Template, ...]] = {
    _C.ELDERLY_CARE: (
        _T("上门探访独居老人", min_high=2, households=(_ELDER,), weight=3),
        _T("陪伴聊天·读书读报", "陪伴聊天", extra=0, households=(_ELDER, _DISABLED), weight=2),
        _T("为老人测量血压血糖", "健康监测", min_high=2, part="am", location=_CLINIC,
           weight=1.5),
        _T("协助老人打扫卫生", min_low=2, min_high=2, extra=0, part="am",
           households=(_ELDER, _DISABLED)),
    ),
    _C.TUTORING: (
        _T("四点半课堂·作业辅导", "辅导功课", min_high=3, part="pm", location=_CLASSROOM,
           weight=3),
        _T("四点半课堂·英语辅导", "英语辅导", min_high=2, part="pm", location=_CLASSROOM,
           weight=1.5),
        _T("四点半课堂·书法兴趣课", "书法", extra=0, part="pm", location=_CLASSROOM,
           weight=0.7),
        _T("留守儿童上门辅导", "辅导功课", extra=0, households=(_CHILD,), weight=1.5),
    ),
    _C.CLEAN_UP: (
        _T("社区环境清扫", min_low=2, min_high=3, extra=3, part="am", location=_ROAD, weight=3),
        _T("清理楼道小广告", min_low=2, min_high=3, extra=2, part="am", weight=1.5),
        _T("垃圾桶周边清洁消杀", min_high=2, part="am"),
        _T("绿化带落叶清理", min_low=2, min_high=3, extra=2),
    ),
    _C.PUBLICITY: (
        _T("垃圾分类知识宣传", "垃圾分类宣讲", min_high=2, location=_GATE, weight=3),
        _T("创建文明城市宣传", min_low=2, min_high=3, extra=2, location=_SQUARE, weight=1.5),
        _T("防范电信诈骗宣传", min_high=2, location=_SQUARE),
        _T("活动摄影与宣传稿", "摄影宣传", extra=0, location=_CENTRE),
    ),
    _C.REPAIR_APPLIANCE: (
        _T("家电义务维修", "家电维修", min_high=2, extra=2, part="am", location=_SQUARE,
           weight=3),
        _T("上门维修家电", "家电维修", 2, extra=0, households=(_ELDER, _POOR, _DISABLED),
           weight=1.5),
        _T("电脑手机义务维修", "电脑维修", min_high=2, location=_CENTRE, weight=1.5),
        _T("安全用电检查", "电工", extra=0, households=(_ELDER, _DISABLED, _POOR)),
    ),
    _C.REPAIR_VEHICLE: (
        _T("汽车养护便民服务", "汽车维修", min_high=2, extra=2, part="am", location=_SQUARE,
           weight=2),
        _T("自行车电动车义务维修", "自行车维修", min_high=2, location=_SQUARE, weight=2),
    ),
    _C.HAIRCUT: (
        _T("义务理发", "理发", 2, min_high=2, part="am", location=_CENTRE, weight=3),
        _T("上门为老人理发", "理发", extra=0, households=(_ELDER, _DISABLED)),
    ),
    _C.CULTURE: (
        _T("党史宣讲进社区", "党史宣讲", min_high=2, location=_CENTRE, weight=2),
        _T("《红色传奇》观影分享会", min_high=2, part="pm", location=_CENTRE,
           departments=("马克思主义学院",)),
        _T("文艺汇演", "文艺表演", min_low=2, min_high=3, extra=3, part="pm", location=_SQUARE,
           weight=1.5),
        _T("书法写福字送邻里", "书法", 2, location=_SQUARE),
    ),
    _C.MICRO_WISH: (
        _T("微心愿：修理收音机", "家电维修", 2, extra=0, households=(_ELDER,)),
        _T("微心愿：送书包和文具", extra=0, households=(_CHILD, _POOR)),
        _T("微心愿：更换灯泡", "电工", extra=0, households=(_ELDER, _DISABLED)),
        _T("微心愿：修理自行车", "自行车维修", extra=0, households=(_CHILD, _POOR)),
        _T("微心愿：教用智能手机", extra=0, households=(_ELDER,)),
        _T("微心愿：搬运旧家具", "搬运", min_low=2, min_high=2, extra=0,
           households=(_ELDER, _POOR, _DISABLED), weight=0.5),
    ),
    _C.OTHER: (
        _T("植树补绿", min_low=3, min_high=3, extra=5, part="am", location=_ROAD, weight=2),
        _T("急救知识普及", "急救", min_high=2, location=_CENTRE),
        _T("搬运爱心物资", "搬运", min_low=2, min_high=2, part="am", location=_CENTRE),
        _T("手语陪同办事", "手语", extra=0, part="am", households=(_DISABLED,), weight=0.3),
    ),
}
# fmt: on
# How often each category is asked for.
_CATEGORY_P: dict[NeedCategory, float] = {
    _C.ELDERLY_CARE: 0.20,
    _C.TUTORING: 0.14,
    _C.CLEAN_UP: 0.12,
    _C.PUBLICITY: 0.10,
    _C.REPAIR_APPLIANCE: 0.09,
    _C.REPAIR_VEHICLE: 0.05,
    _C.HAIRCUT: 0.07,
    _C.CULTURE: 0.08,
    _C.MICRO_WISH: 0.10,
    _C.OTHER: 0.05,
}
_BASE_PRIORITY: dict[NeedCategory, int] = {
    _C.ELDERLY_CARE: 4,
    _C.MICRO_WISH: 4,
    _C.TUTORING: 3,
    _C.REPAIR_APPLIANCE: 3,
    _C.REPAIR_VEHICLE: 3,
    _C.HAIRCUT: 3,
    _C.CULTURE: 3,
    _C.CLEAN_UP: 2,
    _C.PUBLICITY: 2,
    _C.OTHER: 2,
}
_REPAIR_FAIR = ("装备制造学院", "自动控制学院")

_HOUSEHOLD_CATEGORIES = (
    _H.ELDERLY_ALONE,
    _H.FAMILY_IN_DIFFICULTY,
    _H.DISABLED,
    _H.LEFT_BEHIND_CHILD,
    _H.OTHER,
)
_HOUSEHOLD_P = (0.45, 0.2, 0.12, 0.18, 0.05)

# Festival days: fixed dates every year, lunar ones looked up (2024-2030).
_FIXED_FESTIVALS = {
    (1, 1): "元旦",
    (3, 5): "学雷锋纪念日",
    (5, 1): "劳动节",
    (10, 1): "国庆节",
    (12, 5): "国际志愿者日",
}
_LUNAR_FESTIVALS: dict[str, tuple[str, ...]] = {
    "春节": (
        "2024-02-10",
        "2025-01-29",
        "2026-02-17",
        "2027-02-06",
        "2028-01-26",
        "2029-02-13",
        "2030-02-03",
    ),
    "元宵节": (
        "2024-02-24",
        "2025-02-12",
        "2026-03-03",
        "2027-02-20",
        "2028-02-09",
        "2029-02-27",
        "2030-02-17",
    ),
    "端午节": (
        "2024-06-10",
        "2025-05-31",
        "2026-06-19",
        "2027-06-09",
        "2028-05-28",
        "2029-06-16",
        "2030-06-05",
    ),
    "中秋节": (
        "2024-09-17",
        "2025-10-06",
        "2026-09-25",
        "2027-09-15",
        "2028-10-03",
        "2029-09-22",
        "2030-09-12",
    ),
    "重阳节": (
        "2024-10-11",
        "2025-10-29",
        "2026-10-18",
        "2027-10-08",
        "2028-10-26",
        "2029-10-16",
        "2030-10-05",
    ),
}


def festivals_between(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """Festival days of volunteer service between two dates.

    Parameters
    ----------
    start, end
        First and last date, inclusive.

    Returns
    -------
    tuple of (date, name)
        In date order: 元旦, 学雷锋纪念日 (3-5), 劳动节, 国庆节, 国际志愿者日
        (12-5) every year, and 春节, 元宵节, 端午节, 中秋节, 重阳节 for 2024-2030.
    """
    found: dict[dt.date, str] = {}
    for name, days in _LUNAR_FESTIVALS.items():
        for text in days:
            day = dt.date.fromisoformat(text)
            if start <= day <= end:
                found[day] = name
    for year in range(start.year, end.year + 1):
        for (month, mday), name in _FIXED_FESTIVALS.items():
            day = dt.date(year, month, mday)
            if start <= day <= end:
                found.setdefault(day, name)
    return tuple(sorted(found.items()))


def _area_names(count: int) -> tuple[str, ...]:
    """Grid areas (网格) of the community."""
    numerals = "一二三四五六七八九十"
    if count <= len(numerals):
        return tuple(f"第{numerals[i]}网格" for i in range(count))
    width = len(str(count))
    return tuple(f"网格{i + 1:0{width}d}" for i in range(count))


def _names(rng: np.random.Generator, female: BoolArray) -> list[str]:
    """Synthetic Chinese names: a common surname and one or two given characters."""
    count = female.shape[0]
    surname = rng.integers(0, len(_SURNAMES), count)
    male_pool = _GIVEN_MALE + _GIVEN_ANY
    female_pool = _GIVEN_FEMALE + _GIVEN_ANY
    first = np.where(
        female,
        rng.integers(0, len(female_pool), count),
        rng.integers(0, len(male_pool), count),
    )
    second = np.where(
        female,
        rng.integers(0, len(_GIVEN_FEMALE), count),
        rng.integers(0, len(_GIVEN_MALE), count),
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
        tail = _GIVEN_FEMALE if fem else _GIVEN_MALE
        given = pool[f] + tail[g] if t else tail[g]
        names.append(_SURNAMES[s] + given)
    return names


#: Street offices (街道) group one to three neighbouring areas of a city.
_STREET_SIZES = (1, 2, 3)
_STREET_SIZE_P = (0.4, 0.4, 0.2)
#: Minutes between two areas of one street office, and the least between two offices.
_NEAR_MINUTES = (6, 16)
_FAR_MINUTES = 28
#: A city volunteer's max_travel: home area only, or (most of) the street office.
_MAX_TRAVEL = (0, 10, 15, 20)
_MAX_TRAVEL_P = (0.15, 0.25, 0.35, 0.25)


@dataclasses.dataclass(frozen=True)
class _City:
    """Areas of a city on a grid of street offices, with travel minutes and reach.

    Areas of one street office (街道) are 6-15 minutes apart; offices lie on
    a square grid and the minutes between their areas grow with the grid
    distance, from 28 up.  Every volunteer's ``max_travel`` (at most 20) stays
    inside the home street office, so the volunteers and needs of different
    offices never meet: the problem falls apart into parts of one to three
    areas, as a real city's roster does.
    """

    code: dict[str, int]
    minutes: IntArray  # areas x areas, symmetric, 0 on the diagonal
    max_travel: IntArray  # per volunteer, -1 = no limit (never in a city)


def _city(rng: np.random.Generator, areas: Sequence[str], volunteers: int) -> _City:
    """Draw the street offices, the travel minutes between areas and each volunteer's reach."""
    count = len(areas)
    office = np.empty(count, dtype=np.int64)
    k = first = 0
    while first < count:
        size = int(rng.choice(_STREET_SIZES, p=_STREET_SIZE_P))
        office[first : first + size] = k
        first += size
        k += 1
    width = math.ceil(math.sqrt(k))
    row, col = office // width, office % width
    steps = np.abs(row[:, None] - row[None, :]) + np.abs(col[:, None] - col[None, :])
    near = rng.integers(*_NEAR_MINUTES, size=(count, count))
    far = _FAR_MINUTES + 8 * (steps - 1) + rng.integers(0, 7, size=(count, count))
    minutes = np.where(office[:, None] == office[None, :], near, far)
    minutes = np.triu(minutes, 1)
    minutes = minutes + minutes.T
    max_travel = rng.choice(_MAX_TRAVEL, size=volunteers, p=_MAX_TRAVEL_P).astype(np.int64)
    return _City(
        code={a: i for i, a in enumerate(areas)},
        minutes=minutes.astype(np.int64),
        max_travel=max_travel,
    )


@dataclasses.dataclass(frozen=True)
class _Pool:
    """Volunteers as arrays, for drawing needs and checking who can take them."""

    ids: list[str]
    role: IntArray  # index into _ROLES
    department: IntArray  # index into DEPARTMENTS
    female: BoolArray
    level: npt.NDArray[np.int8]  # volunteers x SKILLS
    speaks: BoolArray  # volunteers x LANGUAGES
    can_lead: BoolArray
    max_minutes: IntArray
    window_start: IntArray  # volunteers x service days (0, 0 = no window)
    window_end: IntArray
    city: _City | None = None
    home: IntArray | None = None  # index into the city's areas

    @property
    def count(self) -> int:
        return len(self.ids)

    def near(self, area: str) -> BoolArray:
        """Volunteers whose ``max_travel`` reaches ``area`` (everyone outside a city)."""
        if self.city is None or self.home is None:
            return np.ones(self.count, dtype=bool)
        city = self.city
        minutes = city.minutes[self.home, city.code[area]]
        return (city.max_travel < 0) | (minutes <= city.max_travel)


def _volunteers(
    rng: np.random.Generator, count: int, areas: Sequence[str], city: _City | None = None
) -> tuple[list[Volunteer], dict[str, IntArray | BoolArray | npt.NDArray[np.int8]]]:
    """Draw volunteers; return them with the arrays the rest of the generator reads."""
    role = rng.choice(len(_ROLES), size=count, p=_ROLE_P)
    department = np.empty(count, dtype=np.int64)
    membership = np.empty(count, dtype=np.int64)
    community = len(DEPARTMENTS) - 1
    for r, role_value in enumerate(_ROLES):
        mask = role == r
        k = int(mask.sum())
        membership[mask] = rng.choice(len(_MEMBERSHIPS), size=k, p=_MEMBERSHIP_P[role_value])
        if role_value == Role.RESIDENT:
            department[mask] = community
        else:
            department[mask] = rng.choice(len(_COLLEGE), size=k, p=_DEPT_P[role_value])
    female_p = np.array([_FEMALE_P[d.name] for d in DEPARTMENTS])[department]
    female = rng.random(count) < female_p

    # Skills: independent draws with department-specific propensities, sparse.
    propensity = np.full((len(DEPARTMENTS), len(SKILLS)), _BASE_SKILL)
    for d, dept in enumerate(DEPARTMENTS):
        for name, p in _SKILL_PROPENSITY[dept.name].items():
            propensity[d, _SKILL_CODE[name]] = p
    for name, p in _SKILL_ANYWHERE.items():
        propensity[:, _SKILL_CODE[name]] = np.maximum(propensity[:, _SKILL_CODE[name]], p)
    has = rng.random((count, len(SKILLS))) < propensity[department]
    teacher = role == _ROLES.index(Role.TEACHER)
    level_draw = np.where(
        teacher[:, None],
        rng.choice(3, size=(count, len(SKILLS)), p=(0.3, 0.4, 0.3)),
        rng.choice(3, size=(count, len(SKILLS)), p=(0.55, 0.3, 0.15)),
    )
    level = np.where(has, level_draw + 1, 0).astype(np.int8)

    # Languages: everyone speaks 普通话; locals 柳州话, a few 壮语, some English.
    liuzhou_p = np.array([0.25, 0.4, 0.6, 0.9])[role]
    english_p = np.array([0.15, 0.3, 0.05, 0.02])[role]
    english_p = np.where(department == _COLLEGE.index("国际教育学院"), 0.6, english_p)
    speaks = np.ones((count, len(LANGUAGES)), dtype=bool)
    speaks[:, 1] = rng.random(count) < liuzhou_p
    speaks[:, 2] = rng.random(count) < 0.08
    speaks[:, 3] = rng.random(count) < english_p

    max_shifts = rng.choice((1, 2, 3), size=count, p=(0.3, 0.45, 0.25))
    max_hours = rng.choice((4, 6, 8, 10, 12), size=count, p=(0.2, 0.3, 0.3, 0.1, 0.1))
    home = rng.integers(0, len(areas), count)
    names = _names(rng, female)
    width = max(4, len(str(count)))
    ids = [f"V{i + 1:0{width}d}" for i in range(count)]

    reach = city.max_travel.tolist() if city is not None else [None] * count
    skill_cache = {(s, lv): Skill(SKILLS[s], lv) for s in range(len(SKILLS)) for lv in (1, 2, 3)}
    lang_cache: dict[tuple[bool, ...], tuple[str, ...]] = {}
    volunteers = []
    rows, cols = np.nonzero(level)
    bounds = np.searchsorted(rows, np.arange(count + 1))
    levels = level[rows, cols].tolist()
    cols_list = cols.tolist()
    speaks_rows = [tuple(r) for r in speaks.tolist()]
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
                role=_ROLES[int(role[i])],
                membership=_MEMBERSHIPS[int(membership[i])],
                department=DEPARTMENTS[int(department[i])].name,
                skills=skills,
                languages=langs,
                gender=Gender.FEMALE if female[i] else Gender.MALE,
                max_shifts=int(max_shifts[i]),
                max_minutes=int(max_hours[i]) * 60,
                phone=f"199-00{(i + 1) // 10000:02d}-{(i + 1) % 10000:04d}",
                home_area=areas[int(home[i])],
                max_travel=reach[i],
            )
        )
    party = np.isin(membership, (0, 1))
    arrays = {
        "role": role,
        "department": department,
        "female": female,
        "level": level,
        "speaks": speaks,
        "can_lead": teacher | party,
        "max_minutes": max_hours * 60,
        "home": home,
    }
    return volunteers, arrays


def _availability(
    rng: np.random.Generator, ids: Sequence[str], horizon: Horizon
) -> tuple[list[AvailabilityWindow], list[Blackout], IntArray, IntArray]:
    """Weekend-heavy windows: recurring Saturday/Sunday slots, dated extras, blackouts.

    Returns the windows, the blackouts and the window start/end of every
    volunteer on every service day (one window a day at most).
    """
    count = len(ids)
    days = horizon.service_days
    saturday = rng.choice(4, size=count, p=_SLOT_P)
    sunday = rng.choice(4, size=count, p=_SLOT_P)
    slot = np.zeros((count, len(days)), dtype=np.int64)
    weekend = np.array([d.isoweekday() >= 6 for d in days], dtype=bool)
    for j, day in enumerate(days):
        if day.isoweekday() == 6:
            slot[:, j] = saturday
        elif day.isoweekday() == 7:
            slot[:, j] = sunday
    # Dated windows where no recurring one applies: often on holidays, now and
    # then on a weekend day ("only this Saturday").
    dated_p = np.where(weekend, 0.10, 0.40)
    dated = (slot == 0) & (rng.random((count, len(days))) < dated_p)
    slot = np.where(dated, rng.choice((1, 2, 3), size=slot.shape, p=(0.4, 0.3, 0.3)), slot)
    # Blackouts: about 5% of volunteers miss one day on which they would be free.
    blackout_day = np.full(count, -1, dtype=np.int64)
    free = slot > 0
    chosen = (rng.random(count) < 0.05) & free.any(axis=1)
    if chosen.any():
        score = np.where(free, rng.random(slot.shape), -1.0)
        blackout_day[chosen] = np.argmax(score[chosen], axis=1)
    window_start = _SLOT_START[slot]
    window_end = _SLOT_END[slot]
    rows = np.flatnonzero(blackout_day >= 0)
    window_start[rows, blackout_day[rows]] = 0
    window_end[rows, blackout_day[rows]] = 0

    windows: list[AvailabilityWindow] = []
    blackouts: list[Blackout] = []
    sat_list, sun_list = saturday.tolist(), sunday.tolist()
    dated_rows, dated_cols = np.nonzero(dated)
    dated_bounds = np.searchsorted(dated_rows, np.arange(count + 1)).tolist()
    dated_cols_list = dated_cols.tolist()
    slot_list = slot.tolist()
    starts, ends = _SLOT_START.tolist(), _SLOT_END.tolist()
    blackout_list = blackout_day.tolist()
    for i, vid in enumerate(ids):
        for weekday, s in ((6, sat_list[i]), (7, sun_list[i])):
            if s:
                windows.append(AvailabilityWindow(vid, starts[s], ends[s], weekday=weekday))
        for k in range(dated_bounds[i], dated_bounds[i + 1]):
            j = dated_cols_list[k]
            s = slot_list[i][j]
            windows.append(AvailabilityWindow(vid, starts[s], ends[s], date=days[j]))
        if blackout_list[i] >= 0:
            blackouts.append(Blackout(vid, days[blackout_list[i]]))
    return windows, blackouts, window_start, window_end


_ELDER_SURNAMES = "王李张刘陈黄覃韦蒙莫潘廖黎卢梁"


def _households(rng: np.random.Generator, count: int, areas: Sequence[str]) -> list[Household]:
    """Households with recurring support, at synthetic addresses."""
    category = rng.choice(len(_HOUSEHOLD_CATEGORIES), size=count, p=_HOUSEHOLD_P)
    area = rng.integers(0, len(areas), count)
    space = 60 * 4 * 7 * 2
    # Distinct addresses while they last.
    slot = rng.permutation(space)[:count] if count <= space else rng.integers(0, space, count)
    female = rng.random(count) < 0.6
    liuzhou = rng.random(count) < 0.7
    zhuang = rng.random(count) < 0.1
    age = rng.integers(72, 93, count)
    child_age = rng.integers(6, 13, count)
    surname = rng.integers(0, len(_ELDER_SURNAMES), count)
    width = max(3, len(str(count)))
    households = []
    for i in range(count):
        s = int(slot[i])
        building, rest = divmod(s, 4 * 7 * 2)
        unit, rest = divmod(rest, 7 * 2)
        floor, room = divmod(rest, 2)
        address = f"{building + 1}栋{unit + 1}单元{floor + 1}{room + 1:02d}"
        cat = _HOUSEHOLD_CATEGORIES[int(category[i])]
        langs = ["普通话"]
        if liuzhou[i]:
            langs.append("柳州话")
        if zhuang[i]:
            langs.append("壮语")
        preferred: Gender | None = None
        name = _ELDER_SURNAMES[int(surname[i])]
        if cat == _H.ELDERLY_ALONE:
            who = f"{name}奶奶" if female[i] else f"{name}大爷"
            notes = f"{who}，{int(age[i])}岁，独居，子女在外地"
            if female[i]:
                preferred = Gender.FEMALE
        elif cat == _H.LEFT_BEHIND_CHILD:
            notes = f"孩子{int(child_age[i])}岁，父母在外务工，与祖辈同住"
        elif cat == _H.DISABLED:
            notes = "肢体残疾，行动不便" if female[i] else "视力残疾，需陪同出行"
        elif cat == _H.FAMILY_IN_DIFFICULTY:
            notes = "低保家庭，需定期帮扶"
        else:
            notes = "外来务工家庭"
        households.append(
            Household(
                id=f"H{i + 1:0{width}d}",
                address=address,
                category=cat,
                area=areas[int(area[i])],
                languages=tuple(langs),
                preferred_gender=preferred,
                notes=notes,
            )
        )
    return households


def _eligible(pool: _Pool, need: Need, day_index: dict[dt.date, int]) -> BoolArray:
    """Volunteers who meet every per-volunteer rule of a need (not the team rules)."""
    mask = np.ones(pool.count, dtype=bool)
    for skill in need.skills:
        mask &= pool.level[:, _SKILL_CODE[skill.name]] >= skill.level
    if need.departments:
        codes = [k for k, d in enumerate(DEPARTMENTS) if d.name in need.departments]
        mask &= np.isin(pool.department, codes)
    if need.required_gender is not None:
        mask &= pool.female if need.required_gender == Gender.FEMALE else ~pool.female
    mask &= pool.max_minutes >= need.duration
    if pool.city is not None:
        mask &= pool.near(need.area)
    if need.date is None:
        mask &= (pool.window_end > 0).any(axis=1)
        return mask
    j = day_index.get(need.date)
    if j is None:
        return np.zeros(pool.count, dtype=bool)
    assert need.start is not None and need.end is not None
    lo = np.maximum(pool.window_start[:, j], need.start)
    hi = np.minimum(pool.window_end[:, j], need.end)
    mask &= (hi - lo >= need.duration) & (pool.window_end[:, j] > 0)
    return mask


def _needs(
    rng: np.random.Generator,
    count: int,
    horizon: Horizon,
    households: Sequence[Household],
    pool: _Pool,
    areas: Sequence[str],
) -> list[Need]:
    """Draw needs on service days inside the volunteers' usual windows."""
    if count == 0:
        return []
    days = horizon.service_days
    categories = tuple(_CATEGORY_P)
    category = rng.choice(len(categories), size=count, p=tuple(_CATEGORY_P.values()))
    template_of = np.empty(count, dtype=np.int64)
    for c, cat in enumerate(categories):
        mask = category == c
        weights = np.array([t.weight for t in _TEMPLATES[cat]])
        template_of[mask] = rng.choice(
            len(weights), size=int(mask.sum()), p=weights / weights.sum()
        )
    # Demand follows supply: a day is picked in proportion to who is free then.
    free_per_day = (pool.window_end > 0).sum(axis=0).astype(float) + 1.0
    day_of = rng.choice(len(days), size=count, p=free_per_day / free_per_day.sum())
    is_micro = category == categories.index(_C.MICRO_WISH)
    untimed = is_micro & (rng.random(count) < 0.5)
    flexible = ~untimed & (rng.random(count) < 0.2 / 0.95)
    am_slot = rng.integers(0, len(_AM_SLOTS), count)
    pm_slot = rng.integers(0, len(_PM_SLOTS), count)
    morning = rng.random(count) < 0.6
    flex_duration = rng.choice(_FLEX_DURATIONS, size=count)
    untimed_duration = rng.choice((30, 60, 90, 120), size=count, p=(0.3, 0.4, 0.2, 0.1))
    min_draw = rng.random(count)
    extra_draw = rng.random(count)
    priority_noise = rng.choice((-1, 0, 0, 1), size=count)
    area_of = rng.integers(0, len(areas), count)
    household_draw = rng.random(count)
    # Team rules: about 30% of the needs, chosen among timed ones (more often
    # repairs and elderly care), so the share is stable across seeds.
    rule_weight = np.where(untimed, 0.0, 1.0)
    rule_weight *= np.array(
        [
            2.0
            if categories[c] in (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.ELDERLY_CARE)
            else 1.0
            for c in range(len(categories))
        ]
    )[category]
    team_count = min(round(0.30 * count), int((rule_weight > 0).sum()))
    team = np.zeros(count, dtype=bool)
    if team_count:
        team[
            rng.choice(count, size=team_count, replace=False, p=rule_weight / rule_weight.sum())
        ] = True
    rule_draw = rng.random((count, 2))

    by_category: dict[HouseholdCategory, list[int]] = {c: [] for c in _HOUSEHOLD_CATEGORIES}
    for k, h in enumerate(households):
        by_category[h.category].append(k)
    festival = dict(horizon.festivals)
    width = max(4, len(str(count)))
    needs = []
    for i in range(count):
        cat = categories[int(category[i])]
        tpl = _TEMPLATES[cat][int(template_of[i])]
        household: Household | None = None
        if tpl.households:
            candidates = [k for c in tpl.households for k in by_category[c]]
            if candidates:
                household = households[candidates[int(household_draw[i] * len(candidates))]]
        min_v = tpl.min_low + int(min_draw[i] * (tpl.min_high - tpl.min_low + 1))
        max_v = min_v + int(extra_draw[i] * (tpl.extra + 1))
        day = days[int(day_of[i])]
        date: dt.date | None = day
        start: int | None
        end: int | None
        if untimed[i]:
            date = start = end = None
            duration = int(untimed_duration[i])
        elif flexible[i]:
            part = tpl.part if tpl.part != "any" else ("am" if morning[i] else "any")
            start, end = _FLEX_WINDOWS[part]
            duration = int(flex_duration[i])
        else:
            am = tpl.part == "am" or (tpl.part == "any" and morning[i])
            start, end = _AM_SLOTS[int(am_slot[i])] if am else _PM_SLOTS[int(pm_slot[i])]
            duration = end - start
        title = tpl.title
        priority = _BASE_PRIORITY[cat] + int(priority_noise[i])
        if date is not None and date in festival and cat in (_C.ELDERLY_CARE, _C.CULTURE):
            title = festival[date] + title
            priority += 1
        lead = False
        joint: tuple[str, ...] = ()
        gender: Gender | None = None
        languages: tuple[str, ...] = ()
        if team[i]:
            if cat in (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE) and household is None:
                joint = _REPAIR_FAIR
                lead = True
                min_v = max(min_v, 2)
                max_v = max(max_v, min_v + 2)
            elif cat == _C.ELDERLY_CARE and household is not None:
                if household.preferred_gender == Gender.FEMALE and rule_draw[i, 0] < 0.6:
                    gender = Gender.FEMALE
                if "柳州话" in household.languages and rule_draw[i, 1] < 0.6:
                    languages = ("柳州话",)
                lead = gender is None and not languages
            else:
                lead = True
        skills = (Skill(tpl.skill, tpl.level),) if tpl.skill else ()
        needs.append(
            Need(
                id=f"N{i + 1:0{width}d}",
                title=title,
                category=cat,
                duration=duration,
                date=date,
                start=start,
                end=end,
                household_id=household.id if household else None,
                location="" if household else tpl.location,
                area=household.area if household else areas[int(area_of[i])],
                skills=skills,
                departments=tpl.departments,
                min_volunteers=min_v,
                max_volunteers=max_v,
                priority=min(5, max(1, priority)),
                lead_required=lead,
                joint_departments=joint,
                required_gender=gender,
                required_languages=languages,
            )
        )
    return needs


def _is_simple(need: Need) -> bool:
    """A timed, fixed need without team rules: one eligible volunteer can staff it."""
    return (
        need.date is not None
        and not need.is_flexible
        and not need.lead_required
        and not need.joint_departments
        and not need.required_languages
        and not need.departments
    )


def _reserve(
    rng: np.random.Generator,
    needs: list[Need],
    pool: _Pool,
    horizon: Horizon,
) -> tuple[list[Need], list[Pin], BoolArray]:
    """Mark a few must-cover needs and pin a couple of volunteers, provably feasibly.

    Every must-cover need gets ``min_volunteers`` eligible volunteers and every
    pin one, all distinct (a certificate: each reserved volunteer serves one
    need, so no overlap or budget can break it). Returns the needs, the pins
    and the mask of reserved volunteers (kept out of forbidden pairs and
    travel extras).
    """
    reserved = np.zeros(pool.count, dtype=bool)
    if not needs:
        return needs, [], reserved
    day_index = {d: j for j, d in enumerate(horizon.service_days)}
    order = rng.permutation(len(needs)).tolist()
    want_must = max(1, round(0.01 * len(needs)))
    want_pins = min(2, len(needs))
    must: list[int] = []
    pins: list[Pin] = []
    for n in order:
        if len(must) >= want_must and len(pins) >= want_pins:
            break
        need = needs[n]
        if not _is_simple(need) or need.min_volunteers > 2:
            continue
        candidates = np.flatnonzero(_eligible(pool, need, day_index) & ~reserved)
        if len(must) < want_must and need.priority >= 3:
            if candidates.size >= 3 * need.min_volunteers:
                chosen = rng.choice(candidates, size=need.min_volunteers, replace=False)
                reserved[chosen] = True
                must.append(n)
        elif len(pins) < want_pins and need.min_volunteers == 1 and candidates.size >= 2:
            v = int(rng.choice(candidates))
            reserved[v] = True
            pins.append(Pin(pool.ids[v], need.id))
    out = list(needs)
    for n in must:
        out[n] = dataclasses.replace(out[n], must_cover=True)
    return out, pins, reserved


def _history(
    rng: np.random.Generator,
    pool: _Pool,
    households: Sequence[Household],
    start: dt.date,
) -> list[HistoryEntry]:
    """Past service in the eight weeks before the horizon, for ~60% of volunteers."""
    count = pool.count
    weekend = [
        start - dt.timedelta(days=k)
        for k in range(56, 0, -1)
        if (start - dt.timedelta(days=k)).isoweekday() >= 6
    ]
    served = rng.random(count) < 0.6
    times = np.where(served, rng.choice((1, 2, 3, 4), size=count, p=(0.4, 0.3, 0.2, 0.1)), 0)
    volunteer = np.repeat(np.arange(count), times)
    total = int(volunteer.size)
    day = rng.integers(0, len(weekend), total)
    minutes = rng.choice((90, 120, 150, 180, 240), size=total)
    attended = rng.random(total) < 0.9
    categories = tuple(_CATEGORY_P)
    category = rng.choice(len(categories), size=total, p=tuple(_CATEGORY_P.values()))
    with_household = rng.random(total) < 0.5
    household_draw = rng.random(total)
    home_categories = {
        _C.ELDERLY_CARE: (_H.ELDERLY_ALONE, _H.DISABLED),
        _C.MICRO_WISH: tuple(_HOUSEHOLD_CATEGORIES),
        _C.TUTORING: (_H.LEFT_BEHIND_CHILD,),
    }
    by_group = {
        cat: [h.id for h in households if h.category in cats]
        for cat, cats in home_categories.items()
    }
    order = np.lexsort((day, volunteer))
    entries = []
    for k, e in enumerate(order.tolist()):
        cat = categories[int(category[e])]
        household_id = None
        group = by_group.get(cat)
        if group and with_household[e]:
            household_id = group[int(household_draw[e] * len(group))]
        entries.append(
            HistoryEntry(
                volunteer_id=pool.ids[int(volunteer[e])],
                date=weekend[int(day[e])],
                minutes=int(minutes[e]),
                attended=bool(attended[e]),
                need_id=f"P{k + 1:05d}",
                household_id=household_id,
                category=cat,
            )
        )
    return entries


def _pairs(
    rng: np.random.Generator,
    pool: _Pool,
    needs: Sequence[Need],
    history: Sequence[HistoryEntry],
    reserved: BoolArray,
) -> list[Pair]:
    """Continuity affinities from the history, a few forbidden pairs, some travel extras."""
    pairs: list[Pair] = []
    seen: set[tuple[str, str, str]] = set()
    # Continuity: some volunteers who attended at a household keep a preference for it.
    served = {}
    for e in history:
        if e.household_id and e.attended:
            served.setdefault(e.household_id, e.volunteer_id)
    keys = sorted(served)
    for k in rng.permutation(len(keys))[: max(3, len(keys) // 3)].tolist():
        h = keys[k]
        seen.add((served[h], "", h))
        pairs.append(Pair(served[h], household_id=h, affinity=2))
    if not needs:
        return pairs
    free = np.flatnonzero(~reserved)
    if free.size == 0:
        return pairs
    forbidden = max(2, len(needs) // 300)
    extra = max(3, len(needs) // 100)
    affinity = max(2, len(needs) // 200)
    vols = rng.choice(free, size=forbidden + extra + affinity).tolist()
    need_pick = rng.integers(0, len(needs), forbidden + extra + affinity).tolist()
    minutes = rng.choice((10, 15, 20, 30), size=extra).tolist()
    for k, (v, n) in enumerate(zip(vols, need_pick, strict=True)):
        key = (pool.ids[v], needs[n].id, "")
        if key in seen:
            continue
        seen.add(key)
        if k < forbidden:
            pairs.append(Pair(pool.ids[v], need_id=needs[n].id, forbidden=True))
        elif k < forbidden + extra:
            pairs.append(
                Pair(pool.ids[v], need_id=needs[n].id, extra_minutes=minutes[k - forbidden])
            )
        else:
            pairs.append(Pair(pool.ids[v], need_id=needs[n].id, affinity=1))
    return pairs


def _travel(
    rng: np.random.Generator, areas: Sequence[str], city: _City | None = None
) -> list[Travel]:
    """Walking minutes between the community's places and its grid areas.

    A city lists every pair of areas: an unlisted pair would count as the
    travel default (10 minutes), within most volunteers' ``max_travel``.
    """
    travel = []
    for a in range(len(LOCATIONS)):
        for b in range(a + 1, len(LOCATIONS)):
            travel.append(Travel(LOCATIONS[a], LOCATIONS[b], int(rng.integers(3, 9))))
    if city is not None:
        rows, cols = np.triu_indices(len(areas), 1)
        for a, b, m in zip(
            rows.tolist(), cols.tolist(), city.minutes[rows, cols].tolist(), strict=True
        ):
            travel.append(Travel(areas[a], areas[b], m))
    elif len(areas) <= 10:
        for area in areas:
            for place in LOCATIONS:
                travel.append(Travel(area, place, int(rng.integers(5, 16))))
        for a in range(len(areas)):
            for b in range(a + 1, len(areas)):
                travel.append(Travel(areas[a], areas[b], int(rng.integers(5, 16))))
    else:
        # Neighbouring areas only; the solver's default covers the rest.
        for a in range(len(areas) - 1):
            travel.append(Travel(areas[a], areas[a + 1], int(rng.integers(8, 21))))
    return travel


def _build(
    rng: np.random.Generator,
    volunteers: int,
    needs: int,
    horizon: Horizon,
    areas: int,
    name: str,
    city: bool = False,
) -> tuple[Problem, _Pool]:
    """Everything but the defaults: the generator proper."""
    if volunteers < 1:
        raise ValueError("volunteers must be at least 1")
    if needs < 0:
        raise ValueError("needs must not be negative")
    if not horizon.service_days:
        raise ValueError(f"no service day between {horizon.start} and {horizon.end}")
    area_names = _area_names(max(1, areas))
    layout = _city(rng, area_names, volunteers) if city else None
    people, arrays = _volunteers(rng, volunteers, area_names, layout)
    ids = [v.id for v in people]
    windows, blackouts, window_start, window_end = _availability(rng, ids, horizon)
    pool = _Pool(
        ids=ids,
        role=arrays["role"],  # type: ignore[arg-type]
        department=arrays["department"],  # type: ignore[arg-type]
        female=arrays["female"],  # type: ignore[arg-type]
        level=arrays["level"],  # type: ignore[arg-type]
        speaks=arrays["speaks"],  # type: ignore[arg-type]
        can_lead=arrays["can_lead"],  # type: ignore[arg-type]
        max_minutes=arrays["max_minutes"],  # type: ignore[arg-type]
        window_start=window_start,
        window_end=window_end,
        city=layout,
        home=arrays["home"],  # type: ignore[arg-type]
    )
    households = _households(rng, max(15, round(needs / 10)), area_names)
    need_list = _needs(rng, needs, horizon, households, pool, area_names)
    need_list, pins, reserved = _reserve(rng, need_list, pool, horizon)
    history = _history(rng, pool, households, horizon.start)
    pairs = _pairs(rng, pool, need_list, history, reserved)
    problem = Problem(
        horizon=horizon,
        volunteers=tuple(people),
        needs=tuple(need_list),
        households=tuple(households),
        availability=tuple(windows),
        blackouts=tuple(blackouts),
        pairs=tuple(pairs),
        pins=tuple(pins),
        history=tuple(history),
        departments=DEPARTMENTS,
        skills=SKILLS,
        travel=tuple(_travel(rng, area_names, layout)),
        name=name,
    )
    return problem, pool


def generate_problem(
    volunteers: int,
    needs: int,
    seed: int = 0,
    start: dt.date | None = None,
    weeks: int = 2,
    areas: int | None = None,
    city: bool | None = None,
) -> Problem:
    """Build a synthetic dataset with the shape of a college-community programme.

    Parameters
    ----------
    volunteers
        Number of volunteers (at least 1): ~75% students, ~20% teachers, a
        few staff and community residents, from eight departments and the
        community itself.
    needs
        Number of needs (0 or more) on the service days of the horizon; ~30%
        carry team rules, ~20% are flexible, ~5% are untimed micro-wishes.
    seed
        Seed of the :class:`numpy.random.Generator`; equal arguments give an
        equal problem.
    start
        First day of the horizon; default :data:`DEFAULT_START` (2026-09-19,
        a Saturday, so the horizon holds the Mid-Autumn Festival and National
        Day).
    weeks
        Length of the horizon in weeks (at least 1).
    areas
        Number of grid areas (网格) of the community that volunteers live in
        and needs happen in; default one per 500 volunteers above 20,000
        volunteers, else 4.
    city
        Give every volunteer a ``max_travel`` and list the travel minutes
        between all areas, grouped into street offices (街道) of one to three
        areas: volunteers serve only inside their own office (see
        :class:`_City`), so the problem decomposes by area.  Default: a city
        above 20,000 volunteers when ``areas`` is not given.  Without it
        areas are labels only and nobody has a travel limit.

    Returns
    -------
    Problem
        Valid by the rules of ``docs/data-format.md``; every must-cover need
        and pin is provably staffable, so the problem is feasible.

    Raises
    ------
    ValueError
        When ``volunteers < 1``, ``needs < 0``, ``weeks < 1`` or the horizon
        has no service day.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    first = start or DEFAULT_START
    last = first + dt.timedelta(days=7 * weeks - 1)
    horizon = build_horizon(first, last, festivals=festivals_between(first, last))
    if city is None:
        city = areas is None and volunteers > 20_000
    if areas is None:
        areas = math.ceil(volunteers / 500) if volunteers > 20_000 else 4
    rng = np.random.default_rng(seed)
    problem, _ = _build(
        rng,
        volunteers,
        needs,
        horizon,
        areas,
        f"synthetic-{volunteers}x{needs}-seed{seed}",
        city=city,
    )
    return problem


# ---------------------------------------------------------------------------
# The sample community


_A_DAY1 = dt.date(2026, 9, 19)  # Saturday
_A_FESTIVAL = dt.date(2026, 9, 25)  # Friday, 中秋节 (statutory holiday)
_A_DAY2 = dt.date(2026, 9, 26)  # Saturday
_A_DAY3 = dt.date(2026, 9, 27)  # Sunday
_A_AREAS = _area_names(4)

# id, address, category, area index, languages, preferred gender, notes
# fmt: off
_A_HOUSEHOLDS: tuple[tuple[str, str, HouseholdCategory, int, str, str, str], ...] = (
    ("H001", "3栋2单元401", _ELDER, 0, "柳州话、普通话", "女", "李奶奶，84岁，子女在外地"),
    ("H002", "5栋1单元302", _ELDER, 0, "柳州话", "", "覃大爷，79岁，腿脚不便"),
    ("H003", "8栋3单元101", _ELDER, 1, "柳州话、壮语", "女", "韦奶奶，88岁，只会说柳州话和壮话"),
    ("H004", "12栋1单元502", _ELDER, 1, "普通话", "", "张大爷，76岁，铁路退休职工"),
    ("H005", "2栋2单元201", _ELDER, 2, "柳州话、普通话", "女", "黄奶奶，81岁，听力较弱"),
    ("H006", "15栋1单元601", _ELDER, 2, "柳州话、普通话", "", "莫大爷，83岁，患高血压"),
    ("H007", "7栋4单元302", _ELDER, 3, "普通话", "女", "刘奶奶，90岁，行动需拐杖"),
    ("H008", "10栋2单元102", _ELDER, 3, "柳州话", "", "蒙大爷，78岁，喜欢下象棋"),
    ("H009", "4栋1单元701", _POOR, 0, "柳州话、普通话", "", "低保户，造纸厂下岗职工"),
    ("H010", "9栋3单元402", _POOR, 1, "普通话", "", "外来务工家庭，三口人"),
    ("H011", "11栋2单元301", _POOR, 2, "普通话", "女", "单亲家庭，孩子读初中"),
    ("H012", "14栋1单元202", _POOR, 3, "柳州话", "", "因病致困，需定期帮扶"),
    ("H013", "6栋2单元501", _CHILD, 0, "普通话", "", "9岁，父母在广东务工，与奶奶同住"),
    ("H014", "3栋1单元601", _CHILD, 1, "普通话、柳州话", "", "10岁，附小四年级"),
    ("H015", "13栋3单元201", _CHILD, 2, "普通话", "", "8岁，与爷爷同住"),
    ("H016", "1栋2单元302", _CHILD, 3, "普通话", "", "11岁，数学需要辅导"),
    ("H017", "5栋3单元102", _DISABLED, 0, "普通话", "", "听力残疾，用手语交流"),
    ("H018", "16栋1单元101", _DISABLED, 1, "柳州话、普通话", "", "肢体残疾，轮椅出行"),
)
# fmt: on


def _t(text: str) -> int:
    """``"09:30"`` as minutes after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _a_need(
    number: int,
    title: str,
    category: NeedCategory,
    day: dt.date | None,
    window: str = "",
    duration: int | None = None,
    *,
    skills: str = "",
    household: str | None = None,
    location: str = "",
    area: str = "",
    departments: tuple[str, ...] = (),
    min_volunteers: int = 1,
    max_volunteers: int | None = None,
    priority: int = 3,
    lead: bool = False,
    joint: tuple[str, ...] = (),
    gender: Gender | None = None,
    languages: tuple[str, ...] = (),
    must_cover: bool = False,
) -> Need:
    """One curated need of Community A, written the way a coordinator would."""
    start = end = None
    if window:
        first, last = window.split("-")
        start, end = _t(first), _t(last)
    if duration is None:
        duration = (end - start) if start is not None and end is not None else 60
    skill_list = []
    for item in filter(None, skills.split("、")):
        name, _, level = item.partition(":")
        skill_list.append(Skill(name, int(level or 1)))
    if household is not None and not area:
        area = _A_AREAS[next(h[3] for h in _A_HOUSEHOLDS if h[0] == household)]
    return Need(
        id=f"N{number:03d}",
        title=title,
        category=category,
        duration=duration,
        date=day,
        start=start,
        end=end,
        household_id=household,
        location=location,
        area=area,
        skills=tuple(skill_list),
        departments=departments,
        min_volunteers=min_volunteers,
        max_volunteers=max_volunteers if max_volunteers is not None else min_volunteers,
        priority=priority,
        lead_required=lead,
        joint_departments=joint,
        required_gender=gender,
        required_languages=languages,
        must_cover=must_cover,
    )


def _community_a_needs() -> list[Need]:
    """The curated needs of two weekends and the Mid-Autumn Festival."""
    d1, fest, d2, d3 = _A_DAY1, _A_FESTIVAL, _A_DAY2, _A_DAY3
    female = Gender.FEMALE
    liuzhou = ("柳州话",)
    centre, square, classroom = _CENTRE, _SQUARE, _CLASSROOM
    clinic, gate, road = _CLINIC, _GATE, _ROAD
    e, tu, cl = _C.ELDERLY_CARE, _C.TUTORING, _C.CLEAN_UP
    pu, cu, mw, ot = _C.PUBLICITY, _C.CULTURE, _C.MICRO_WISH, _C.OTHER
    ap, hc = _C.REPAIR_APPLIANCE, _C.HAIRCUT
    n = _a_need
    # fmt: off
    return [
        # Saturday 09-19
        n(1, "社区环境清扫（主干道）", cl, d1, "08:30-11:30", location=road,
          min_volunteers=4, max_volunteers=8, lead=True),
        n(2, "垃圾分类知识宣传", pu, d1, "09:00-11:00", skills="垃圾分类宣讲", location=gate,
          min_volunteers=2, max_volunteers=3),
        n(3, "义务理发", hc, d1, "09:00-11:30", skills="理发:2", location=centre,
          max_volunteers=2),
        n(4, "爱心义诊·健康监测", e, d1, "09:00-11:00", skills="健康监测", location=clinic,
          min_volunteers=2, max_volunteers=3, priority=4),
        n(5, "四点半课堂·作业辅导", tu, d1, "15:00-17:00", skills="辅导功课",
          location=classroom, min_volunteers=2, max_volunteers=3, priority=4),
        n(6, "四点半课堂·英语辅导", tu, d1, "15:30-17:00", skills="英语辅导",
          location=classroom, max_volunteers=2),
        n(7, "探访独居老人（覃大爷）", e, d1, "14:30-16:00", household="H002",
          max_volunteers=2, priority=4, languages=liuzhou),
        n(8, "探访独居老人（张大爷）", e, d1, "09:30-11:00", household="H004"),
        n(9, "留守儿童上门辅导", tu, d1, "14:00-17:30", 90, skills="辅导功课",
          household="H013"),
        n(10, "活动摄影与宣传稿", pu, d1, "08:30-12:00", 60, skills="摄影宣传",
          location=centre, priority=2),
        n(11, "自行车电动车义务维修", _C.REPAIR_VEHICLE, d1, "09:00-11:30",
          skills="自行车维修", location=square, max_volunteers=2, priority=2),
        # Friday 09-25, 中秋节
        n(12, "中秋节探访独居老人（李奶奶）", e, fest, "09:00-10:30", household="H001",
          min_volunteers=2, priority=5, gender=female, languages=liuzhou),
        n(13, "中秋节探访独居老人（覃大爷）", e, fest, "09:00-10:30", household="H002",
          max_volunteers=2, priority=5, must_cover=True),
        n(14, "中秋节探访独居老人（韦奶奶）", e, fest, "10:00-11:30", household="H003",
          max_volunteers=2, priority=5, gender=female, languages=liuzhou),
        n(15, "中秋节探访独居老人（张大爷）", e, fest, "15:00-16:30", household="H004",
          max_volunteers=2, priority=5, must_cover=True),
        n(16, "中秋节探访独居老人（黄奶奶）", e, fest, "15:00-16:30", household="H005",
          max_volunteers=2, priority=5, gender=female),
        n(17, "中秋节探访独居老人（莫大爷）", e, fest, "09:30-11:00", household="H006",
          max_volunteers=2, priority=5, languages=liuzhou),
        n(18, "中秋节探访独居老人（刘奶奶）", e, fest, "14:30-16:00", household="H007",
          max_volunteers=2, priority=5, gender=female),
        n(19, "中秋节探访独居老人（蒙大爷）", e, fest, "10:00-11:30", household="H008",
          max_volunteers=2, priority=5),
        n(20, "中秋节为困难家庭送月饼", ot, fest, "09:00-12:00", 90, location=centre,
          min_volunteers=2, max_volunteers=4, priority=4),
        n(21, "中秋节为独居老人送月饼", ot, fest, "14:00-17:30", 90, location=centre,
          min_volunteers=2, max_volunteers=3, priority=4),
        n(22, "中秋节留守儿童陪伴·做月饼", tu, fest, "14:30-16:30", location=classroom,
          min_volunteers=2, max_volunteers=3, priority=4, lead=True),
        n(23, "中秋节文艺汇演", cu, fest, "15:00-17:00", skills="文艺表演", location=square,
          min_volunteers=3, max_volunteers=6),
        n(24, "中秋节晚间猜灯谜游园会", cu, fest, "19:00-21:00", location=square,
          min_volunteers=2, max_volunteers=4),
        n(25, "中秋节书法写福字送邻里", cu, fest, "09:00-11:00", skills="书法",
          location=square, max_volunteers=2, priority=2),
        # Saturday 09-26
        n(26, "家电维修与汽车养护便民服务", ap, d2, "08:30-11:30", location=square,
          departments=_REPAIR_FAIR, min_volunteers=4, max_volunteers=8, priority=4,
          lead=True, joint=_REPAIR_FAIR),
        n(27, "植树补绿（学校捐赠苗木）", ot, d2, "08:30-11:30", location=road,
          min_volunteers=6, max_volunteers=12, lead=True),
        n(28, "党史宣讲·《红色传奇》观影", cu, d2, "14:30-16:30", skills="党史宣讲",
          location=centre, departments=("马克思主义学院",), min_volunteers=2,
          max_volunteers=3, priority=4, lead=True),
        n(29, "义务理发（下午场）", hc, d2, "14:30-17:00", skills="理发:2", location=centre,
          max_volunteers=2),
        n(30, "四点半课堂·作业辅导", tu, d2, "15:00-17:00", skills="辅导功课",
          location=classroom, min_volunteers=2, max_volunteers=3, priority=4),
        n(31, "四点半课堂·书法兴趣课", tu, d2, "15:30-17:00", skills="书法",
          location=classroom, priority=2),
        n(32, "垃圾分类宣传进楼栋", pu, d2, "09:00-17:00", 90, skills="垃圾分类宣讲",
          area=_A_AREAS[2], min_volunteers=2, max_volunteers=3, priority=2),
        n(33, "手语陪同办事", ot, d2, "09:30-11:00", skills="手语", household="H017",
          priority=4),
        n(34, "安全用电检查", ap, d2, "09:00-12:00", 60, skills="电工", household="H018"),
        n(35, "探访独居老人（莫大爷）", e, d2, "14:30-16:00", skills="陪伴聊天",
          household="H006"),
        n(36, "探访独居老人（刘奶奶）", e, d2, "09:30-11:00", household="H007",
          max_volunteers=2, gender=female),
        n(37, "搬运爱心物资（雷锋超市）", ot, d2, "08:30-10:00", skills="搬运",
          location=centre, min_volunteers=2, max_volunteers=3, priority=2),
        n(38, "留守儿童上门辅导", tu, d2, "14:00-17:30", 90, skills="辅导功课",
          household="H014"),
        # Sunday 09-27
        n(39, "清理楼道小广告", cl, d3, "08:30-11:30", area=_A_AREAS[1], min_volunteers=3,
          max_volunteers=6, priority=2, lead=True),
        n(40, "垃圾桶周边清洁消杀", cl, d3, "09:00-11:00", area=_A_AREAS[3],
          min_volunteers=2, max_volunteers=3, priority=2),
        n(41, "爱心义诊·健康监测", e, d3, "09:00-11:00", skills="健康监测", location=clinic,
          min_volunteers=2, max_volunteers=3, priority=4),
        n(42, "急救知识普及", pu, d3, "14:30-16:00", skills="急救", location=centre,
          max_volunteers=2),
        n(43, "教老人使用智能手机", ot, d3, "14:30-16:30", location=centre,
          min_volunteers=2, max_volunteers=4, priority=2),
        n(44, "电脑手机义务维修", ap, d3, "09:00-11:30", skills="电脑维修", location=square,
          max_volunteers=2, priority=2),
        n(45, "四点半课堂·作业辅导", tu, d3, "15:00-17:00", skills="辅导功课",
          location=classroom, min_volunteers=2, max_volunteers=3, priority=4),
        n(46, "四点半课堂·英语辅导", tu, d3, "15:30-17:00", skills="英语辅导",
          location=classroom, max_volunteers=2),
        n(47, "创建文明城市宣传", pu, d3, "09:00-17:00", 120, location=square,
          min_volunteers=2, max_volunteers=4, priority=2),
        n(48, "探访独居老人（韦奶奶）", e, d3, "09:30-11:00", household="H003", priority=4,
          languages=liuzhou),
        n(49, "探访独居老人（黄奶奶）", e, d3, "14:30-16:00", household="H005"),
        n(50, "留守儿童上门辅导", tu, d3, "14:00-17:30", 90, skills="辅导功课",
          household="H015"),
        n(51, "困难家庭帮扶走访", ot, d3, "09:30-11:00", household="H011", min_volunteers=2,
          lead=True),
        n(52, "协助残疾人家庭打扫卫生", cl, d3, "14:30-16:30", household="H018",
          min_volunteers=2),
        # 微心愿: untimed, done when it suits the volunteer
        n(53, "微心愿：修理收音机", mw, None, duration=60, skills="家电维修:2",
          household="H001", priority=4),
        n(54, "微心愿：为留守儿童送书包", mw, None, duration=30, household="H013",
          priority=4),
        n(55, "微心愿：更换卫生间灯泡", mw, None, duration=45, skills="电工",
          household="H005", priority=4),
        n(56, "微心愿：修理自行车", mw, None, duration=60, skills="自行车维修",
          household="H016"),
        n(57, "微心愿：送一套课外书", mw, None, duration=30, household="H015", priority=2),
        n(58, "微心愿：修理电视机", mw, None, duration=90, skills="家电维修:2",
          household="H008"),
        n(59, "微心愿：写一副中秋对联", mw, None, duration=60, skills="书法:2",
          household="H004", priority=2),
        n(60, "微心愿：修理轮椅", mw, None, duration=60, skills="自行车维修:2",
          household="H018", priority=4),
    ]
    # fmt: on


def community_a() -> Problem:
    """The sample community of ``datasets/community_a``.

    The generator's volunteers (fixed seed :data:`COMMUNITY_A_SEED`, 200 of
    them) with curated Chinese needs and households over 2026-09-19 ..
    2026-09-27: Saturday 09-19, the Mid-Autumn Festival on Friday 09-25, and
    the weekend 09-26/27.  Sunday 09-20 is a make-up workday (调休) and no
    service day.  Two needs are hard on purpose: one needs 手语 that nobody
    has, one is in the evening when nobody is free.

    Returns
    -------
    Problem
        Feasible: the must-cover needs and pins have distinct eligible
        volunteers.
    """
    horizon = build_horizon(_A_DAY1, _A_DAY3, festivals=[(_A_FESTIVAL, "中秋节")])
    rng = np.random.default_rng(COMMUNITY_A_SEED)
    base, pool = _build(rng, 200, 0, horizon, len(_A_AREAS), "community_a")
    # Nobody in the sample signs 手语: the sign-language need stays open on purpose.
    volunteers = tuple(
        dataclasses.replace(v, skills=tuple(s for s in v.skills if s.name != "手语"))
        if any(s.name == "手语" for s in v.skills)
        else v
        for v in base.volunteers
    )
    pool = dataclasses.replace(pool, level=pool.level.copy())
    pool.level[:, _SKILL_CODE["手语"]] = 0
    households = [
        Household(
            id=hid,
            address=address,
            category=category,
            area=_A_AREAS[area],
            languages=tuple(languages.split("、")),
            preferred_gender=Gender.FEMALE if preferred == "女" else None,
            notes=notes,
        )
        for hid, address, category, area, languages, preferred, notes in _A_HOUSEHOLDS
    ]
    needs = _community_a_needs()
    # History: the generator's service record, tied to the curated households.
    by_category: dict[HouseholdCategory, list[str]] = {}
    for h in households:
        by_category.setdefault(h.category, []).append(h.id)
    elderly = by_category[_H.ELDERLY_ALONE]
    children = by_category[_H.LEFT_BEHIND_CHILD]
    history = []
    for k, entry in enumerate(base.history):
        household_id = None
        if entry.household_id is not None:
            group = children if entry.category == _C.TUTORING else elderly
            if entry.category == _C.MICRO_WISH:
                group = [h.id for h in households]
            household_id = group[k % len(group)]
        history.append(dataclasses.replace(entry, household_id=household_id))

    day_index = {d: j for j, d in enumerate(horizon.service_days)}
    need_by_id = {need.id: need for need in needs}

    def first_eligible(need_id: str, extra: BoolArray | None = None, skip: int = 0) -> int:
        mask = _eligible(pool, need_by_id[need_id], day_index)
        if extra is not None:
            mask &= extra
        found = np.flatnonzero(mask)
        return int(found[skip])

    # Pins: a teacher of 装备制造学院 leads the repair fair; the regular
    # visitor of 张大爷 keeps visiting him (continuity).
    teacher = pool.role == _ROLES.index(Role.TEACHER)
    fair_lead = first_eligible("N026", teacher & pool.can_lead & (pool.department == 0))
    visitor = first_eligible("N008", pool.role == _ROLES.index(Role.STUDENT))
    pins = [Pin(pool.ids[fair_lead], "N026"), Pin(pool.ids[visitor], "N008")]
    history.append(
        HistoryEntry(
            pool.ids[visitor], dt.date(2026, 9, 12), 90, True, "P-0912-01", "H004", _C.ELDERLY_CARE
        )
    )
    # Coordinator knowledge: continuity, one pair kept apart, travel from far away.
    served: dict[str, str] = {}
    for entry in history:
        if entry.household_id and entry.attended:
            served.setdefault(entry.household_id, entry.volunteer_id)
    li_visitor = first_eligible("N012", skip=1)
    pairs = [
        Pair(pool.ids[li_visitor], household_id="H001", affinity=3),
        Pair(served["H003"], household_id="H003", affinity=2),
        Pair(served["H013"], household_id="H013", affinity=2),
        Pair(pool.ids[visitor], household_id="H004", affinity=2),
        Pair(pool.ids[first_eligible("N019")], household_id="H008", forbidden=True),
        Pair(pool.ids[first_eligible("N027", skip=2)], need_id="N027", affinity=-1),
        Pair(pool.ids[first_eligible("N026", skip=3)], need_id="N026", extra_minutes=20),
        Pair(pool.ids[first_eligible("N041")], need_id="N041", extra_minutes=15),
        Pair(pool.ids[first_eligible("N035")], household_id="H006", extra_minutes=10),
    ]
    return base.replace(
        volunteers=volunteers,
        needs=tuple(needs),
        households=tuple(households),
        pairs=tuple(pairs),
        pins=tuple(pins),
        history=tuple(history),
    )


def describe(problem: Problem) -> str:
    """Markdown tables of what a dataset holds (used for ``datasets/README.md``).

    Parameters
    ----------
    problem
        Any problem.

    Returns
    -------
    str
        Totals; volunteers per department by role; memberships; needs per
        category and per date; households per category.
    """
    lines: list[str] = []
    h = problem.horizon
    festivals = dict(h.festivals)
    lines += [
        "| what | count |",
        "|---|---|",
        f"| volunteers | {len(problem.volunteers)} |",
        f"| needs | {len(problem.needs)} |",
        f"| households | {len(problem.households)} |",
        f"| availability windows | {len(problem.availability)} |",
        f"| blackouts | {len(problem.blackouts)} |",
        f"| pairs | {len(problem.pairs)} |",
        f"| pins | {len(problem.pins)} |",
        f"| history entries | {len(problem.history)} |",
        f"| travel rows | {len(problem.travel)} |",
        "",
    ]
    roles = list(Role)
    lines += [
        "| department | " + " | ".join(r.value for r in roles) + " | total |",
        "|---" * (len(roles) + 2) + "|",
    ]
    by_dept = Counter((v.department, v.role) for v in problem.volunteers)
    for dept in problem.departments:
        cells = [by_dept[(dept.name, r)] for r in roles]
        lines.append(f"| {dept.name} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    lines.append("")
    memberships = Counter(v.membership for v in problem.volunteers)
    lines += ["| membership | volunteers |", "|---|---|"]
    lines += [f"| {m.value} | {memberships[m]} |" for m in Membership]
    lines.append("")
    categories = Counter(n.category for n in problem.needs)
    lines += ["| need category | needs |", "|---|---|"]
    lines += [f"| {c.value} | {categories[c]} |" for c in NeedCategory if categories[c]]
    lines.append("")
    dates = Counter(n.date for n in problem.needs)
    lines += ["| date | needs |", "|---|---|"]
    for day in h.service_days:
        label = f"{day.isoformat()} {'一二三四五六日'[day.weekday()]}"
        if day in festivals:
            label += f" {festivals[day]}"
        lines.append(f"| {label} | {dates[day]} |")
    lines.append(f"| untimed | {dates[None]} |")
    lines.append("")
    team = sum(
        1
        for n in problem.needs
        if n.lead_required or n.joint_departments or n.required_gender or n.required_languages
    )
    flexible = sum(1 for n in problem.needs if n.is_flexible)
    must = sum(1 for n in problem.needs if n.must_cover)
    lines += [
        "| need property | needs |",
        "|---|---|",
        f"| with team rules | {team} |",
        f"| flexible start | {flexible} |",
        f"| must cover | {must} |",
        f"| tied to a household | {sum(1 for n in problem.needs if n.household_id)} |",
        "",
    ]
    households = Counter(x.category for x in problem.households)
    lines += ["| household category | households |", "|---|---|"]
    lines += [f"| {c.value} | {households[c]} |" for c in HouseholdCategory if households[c]]
    return "\n".join(lines) + "\n"
