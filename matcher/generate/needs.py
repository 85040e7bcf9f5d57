"""Needs: what the community asks for, when, where, and with which team rules.

Each category of need (elderly care, tutoring, repairs, ...) has a few
templates with the usual title, skill, team size, part of day and place.
:func:`draw_needs` draws needs from them on service days in proportion to who
is free, about 30% with team rules; :func:`reserve` then marks a few
must-cover needs and pins, each provably staffable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TypedDict

import numpy as np

from matcher.domain import (
    Gender,
    Horizon,
    Household,
    HouseholdCategory,
    Need,
    NeedCategory,
    Pin,
    Skill,
)
from matcher.generate.arrays import BoolArray, FloatArray, IntArray
from matcher.generate.people import Pool
from matcher.generate.vocabulary import (
    CENTRE,
    CLASSROOM,
    CLINIC,
    GATE,
    HOUSEHOLD_CATEGORIES,
    REPAIR_FAIR,
    ROAD,
    SQUARE,
)

_C = NeedCategory
_H = HouseholdCategory

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

# fmt: off
_TEMPLATES: dict[NeedCategory, tuple[_Template, ...]] = {
    _C.ELDERLY_CARE: (
        _T("上门探访独居老人", min_high=2, households=(_ELDER,), weight=3),
        _T("陪伴聊天·读书读报", "陪伴聊天", extra=0, households=(_ELDER, _DISABLED), weight=2),
        _T("为老人测量血压血糖", "健康监测", min_high=2, part="am", location=CLINIC,
           weight=1.5),
        _T("协助老人打扫卫生", min_low=2, min_high=2, extra=0, part="am",
           households=(_ELDER, _DISABLED)),
    ),
    _C.TUTORING: (
        _T("四点半课堂·作业辅导", "辅导功课", min_high=3, part="pm", location=CLASSROOM,
           weight=3),
        _T("四点半课堂·英语辅导", "英语辅导", min_high=2, part="pm", location=CLASSROOM,
           weight=1.5),
        _T("四点半课堂·书法兴趣课", "书法", extra=0, part="pm", location=CLASSROOM,
           weight=0.7),
        _T("留守儿童上门辅导", "辅导功课", extra=0, households=(_CHILD,), weight=1.5),
    ),
    _C.CLEAN_UP: (
        _T("社区环境清扫", min_low=2, min_high=3, extra=3, part="am", location=ROAD, weight=3),
        _T("清理楼道小广告", min_low=2, min_high=3, extra=2, part="am", weight=1.5),
        _T("垃圾桶周边清洁消杀", min_high=2, part="am"),
        _T("绿化带落叶清理", min_low=2, min_high=3, extra=2),
    ),
    _C.PUBLICITY: (
        _T("垃圾分类知识宣传", "垃圾分类宣讲", min_high=2, location=GATE, weight=3),
        _T("创建文明城市宣传", min_low=2, min_high=3, extra=2, location=SQUARE, weight=1.5),
        _T("防范电信诈骗宣传", min_high=2, location=SQUARE),
        _T("活动摄影与宣传稿", "摄影宣传", extra=0, location=CENTRE),
    ),
    _C.REPAIR_APPLIANCE: (
        _T("家电义务维修", "家电维修", min_high=2, extra=2, part="am", location=SQUARE,
           weight=3),
        _T("上门维修家电", "家电维修", 2, extra=0, households=(_ELDER, _POOR, _DISABLED),
           weight=1.5),
        _T("电脑手机义务维修", "电脑维修", min_high=2, location=CENTRE, weight=1.5),
        _T("安全用电检查", "电工", extra=0, households=(_ELDER, _DISABLED, _POOR)),
    ),
    _C.REPAIR_VEHICLE: (
        _T("汽车养护便民服务", "汽车维修", min_high=2, extra=2, part="am", location=SQUARE,
           weight=2),
        _T("自行车电动车义务维修", "自行车维修", min_high=2, location=SQUARE, weight=2),
    ),
    _C.HAIRCUT: (
        _T("义务理发", "理发", 2, min_high=2, part="am", location=CENTRE, weight=3),
        _T("上门为老人理发", "理发", extra=0, households=(_ELDER, _DISABLED)),
    ),
    _C.CULTURE: (
        _T("党史宣讲进社区", "党史宣讲", min_high=2, location=CENTRE, weight=2),
        _T("《红色传奇》观影分享会", min_high=2, part="pm", location=CENTRE,
           departments=("马克思主义学院",)),
        _T("文艺汇演", "文艺表演", min_low=2, min_high=3, extra=3, part="pm", location=SQUARE,
           weight=1.5),
        _T("书法写福字送邻里", "书法", 2, location=SQUARE),
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
        _T("植树补绿", min_low=3, min_high=3, extra=5, part="am", location=ROAD, weight=2),
        _T("急救知识普及", "急救", min_high=2, location=CENTRE),
        _T("搬运爱心物资", "搬运", min_low=2, min_high=2, part="am", location=CENTRE),
        _T("手语陪同办事", "手语", extra=0, part="am", households=(_DISABLED,), weight=0.3),
    ),
}
# fmt: on
#: How often each category is asked for (by needs and by past service alike).
CATEGORY_P: dict[NeedCategory, float] = {
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
_CATEGORIES = tuple(CATEGORY_P)
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


@dataclasses.dataclass(frozen=True)
class _Draws:
    """Every random number behind a list of needs, one array entry per need."""

    category: IntArray  # index into _CATEGORIES
    template: IntArray  # index into the category's templates
    day: IntArray  # index into the service days
    untimed: BoolArray
    flexible: BoolArray
    am_slot: IntArray
    pm_slot: IntArray
    morning: BoolArray
    flex_duration: IntArray
    untimed_duration: IntArray
    min_share: FloatArray  # where min_volunteers falls in the template's range
    extra_share: FloatArray  # how many of the template's extra places are open
    priority_noise: IntArray
    area: IntArray
    household: FloatArray  # where the household falls in the list of candidates
    team: BoolArray  # chosen to carry team rules
    rule: FloatArray  # count x 2: chances of a gender and of a language rule


def _draw(rng: np.random.Generator, count: int, pool: Pool, days: int, areas: int) -> _Draws:
    """Draw the arrays of :class:`_Draws` in the generator's fixed order."""
    category = rng.choice(len(_CATEGORIES), size=count, p=tuple(CATEGORY_P.values()))
    template = np.empty(count, dtype=np.int64)
    for c, cat in enumerate(_CATEGORIES):
        mask = category == c
        weights = np.array([t.weight for t in _TEMPLATES[cat]])
        template[mask] = rng.choice(len(weights), size=int(mask.sum()), p=weights / weights.sum())
    # Demand follows supply: a day is picked in proportion to who is free then.
    free_per_day = (pool.window_end > 0).sum(axis=0).astype(float) + 1.0
    day = rng.choice(days, size=count, p=free_per_day / free_per_day.sum())
    is_micro = category == _CATEGORIES.index(_C.MICRO_WISH)
    untimed = is_micro & (rng.random(count) < 0.5)
    # Keyword arguments are evaluated in the order written: that order is
    # the order of the draws, which every seed's output depends on.
    return _Draws(
        category=category,
        template=template,
        day=day,
        untimed=untimed,
        flexible=~untimed & (rng.random(count) < 0.2 / 0.95),
        am_slot=rng.integers(0, len(_AM_SLOTS), count),
        pm_slot=rng.integers(0, len(_PM_SLOTS), count),
        morning=rng.random(count) < 0.6,
        flex_duration=rng.choice(_FLEX_DURATIONS, size=count),
        untimed_duration=rng.choice((30, 60, 90, 120), size=count, p=(0.3, 0.4, 0.2, 0.1)),
        min_share=rng.random(count),
        extra_share=rng.random(count),
        priority_noise=rng.choice((-1, 0, 0, 1), size=count),
        area=rng.integers(0, areas, count),
        household=rng.random(count),
        team=_choose_team(rng, category, untimed),
        rule=rng.random((count, 2)),
    )


def _choose_team(rng: np.random.Generator, category: IntArray, untimed: BoolArray) -> BoolArray:
    """Needs that carry team rules: about 30%, among timed ones, more often repairs and care."""
    # A fixed share drawn without replacement, not a coin per need, keeps the
    # share stable across seeds.
    count = category.shape[0]
    rule_weight = np.where(untimed, 0.0, 1.0)
    rule_weight *= np.array(
        [
            2.0 if cat in (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.ELDERLY_CARE) else 1.0
            for cat in _CATEGORIES
        ]
    )[category]
    team_count = min(round(0.30 * count), int((rule_weight > 0).sum()))
    team = np.zeros(count, dtype=bool)
    if team_count:
        team[
            rng.choice(count, size=team_count, replace=False, p=rule_weight / rule_weight.sum())
        ] = True
    return team


class _Timing(TypedDict):
    """The timing fields of a need, by the names :class:`~matcher.domain.Need` gives them."""

    date: dt.date | None
    start: int | None
    end: int | None
    duration: int


def _timing(template: _Template, draws: _Draws, i: int, day: dt.date) -> _Timing:
    """When need ``i`` happens: untimed, in a flexible window or in a fixed slot."""
    if draws.untimed[i]:
        return _Timing(date=None, start=None, end=None, duration=int(draws.untimed_duration[i]))
    if draws.flexible[i]:
        part = template.part
        if part == "any":
            part = "am" if draws.morning[i] else "any"
        start, end = _FLEX_WINDOWS[part]
        return _Timing(date=day, start=start, end=end, duration=int(draws.flex_duration[i]))
    am = template.part == "am" or (template.part == "any" and draws.morning[i])
    start, end = _AM_SLOTS[int(draws.am_slot[i])] if am else _PM_SLOTS[int(draws.pm_slot[i])]
    return _Timing(date=day, start=start, end=end, duration=end - start)


def _team_rules(
    category: NeedCategory, household: Household | None, rule: FloatArray
) -> tuple[bool, tuple[str, ...], Gender | None, tuple[str, ...]]:
    """Lead, joint departments, gender and languages of a need chosen for team rules."""
    if category in (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE) and household is None:
        return True, REPAIR_FAIR, None, ()
    if category == _C.ELDERLY_CARE and household is not None:
        # A woman living alone may ask for women; a 柳州话 speaker for a local.
        female = household.preferred_gender == Gender.FEMALE and rule[0] < 0.6
        gender = Gender.FEMALE if female else None
        languages = ("柳州话",) if "柳州话" in household.languages and rule[1] < 0.6 else ()
        return gender is None and not languages, (), gender, languages
    return True, (), None, ()


def _team_size(template: _Template, draws: _Draws, i: int, joint: bool) -> tuple[int, int]:
    """``min_volunteers`` and ``max_volunteers`` of need ``i``."""
    low = template.min_low + int(draws.min_share[i] * (template.min_high - template.min_low + 1))
    high = low + int(draws.extra_share[i] * (template.extra + 1))
    if joint:
        # A joint repair fair: one from each department and a lead, room for more.
        low = max(low, 2)
        high = max(high, low + 2)
    return low, high


class _Served:
    """The households a need of each template may serve, listed once per template kind."""

    def __init__(self, households: Sequence[Household]) -> None:
        self.households = households
        self.by_category: dict[HouseholdCategory, list[int]] = {c: [] for c in HOUSEHOLD_CATEGORIES}
        for k, h in enumerate(households):
            self.by_category[h.category].append(k)
        self.lists: dict[tuple[HouseholdCategory, ...], list[int]] = {}

    def pick(self, categories: tuple[HouseholdCategory, ...], share: float) -> Household | None:
        """The household at ``share`` (0 <= share < 1) of those in ``categories``, if any."""
        candidates = self.lists.get(categories)
        if candidates is None:
            candidates = [k for c in categories for k in self.by_category[c]]
            self.lists[categories] = candidates
        if not candidates:
            return None
        return self.households[candidates[int(share * len(candidates))]]


def draw_needs(
    rng: np.random.Generator,
    count: int,
    horizon: Horizon,
    households: Sequence[Household],
    pool: Pool,
    areas: Sequence[str],
) -> list[Need]:
    """Draw needs on service days inside the volunteers' usual windows.

    Parameters
    ----------
    rng
        Draws categories, templates, days, times, team sizes and team rules.
    count
        Number of needs.
    horizon
        The planning horizon; festival days add their name to care and culture needs.
    households
        Households that home visits and micro-wishes serve.
    pool
        The volunteers as arrays; a day is chosen in proportion to who is free.
    areas
        Names of the grid areas (for needs not at a household).

    Returns
    -------
    list of Need
        Ids ``N0001`` ...; ~30% with team rules, ~20% flexible, ~5% untimed.
    """
    if count == 0:
        return []
    days = horizon.service_days
    draws = _draw(rng, count, pool, len(days), len(areas))
    served = _Served(households)
    festival = dict(horizon.festivals)
    width = max(4, len(str(count)))
    needs = []
    for i in range(count):
        cat = _CATEGORIES[int(draws.category[i])]
        tpl = _TEMPLATES[cat][int(draws.template[i])]
        household = served.pick(tpl.households, float(draws.household[i]))
        timing = _timing(tpl, draws, i, days[int(draws.day[i])])
        date = timing["date"]
        title = tpl.title
        priority = _BASE_PRIORITY[cat] + int(draws.priority_noise[i])
        if date is not None and date in festival and cat in (_C.ELDERLY_CARE, _C.CULTURE):
            title = festival[date] + title
            priority += 1
        lead, joint, gender, languages = False, (), None, ()
        if draws.team[i]:
            lead, joint, gender, languages = _team_rules(cat, household, draws.rule[i])
        min_v, max_v = _team_size(tpl, draws, i, bool(joint))
        needs.append(
            Need(
                id=f"N{i + 1:0{width}d}",
                title=title,
                category=cat,
                household_id=household.id if household else None,
                location="" if household else tpl.location,
                area=household.area if household else areas[int(draws.area[i])],
                skills=(Skill(tpl.skill, tpl.level),) if tpl.skill else (),
                departments=tpl.departments,
                min_volunteers=min_v,
                max_volunteers=max_v,
                priority=min(5, max(1, priority)),
                lead_required=lead,
                joint_departments=joint,
                required_gender=gender,
                required_languages=languages,
                **timing,
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


def reserve(
    rng: np.random.Generator,
    needs: list[Need],
    pool: Pool,
    horizon: Horizon,
) -> tuple[list[Need], list[Pin], BoolArray]:
    """Mark a few must-cover needs and pin a couple of volunteers, provably feasibly.

    Every must-cover need gets ``min_volunteers`` eligible volunteers and every
    pin one, all distinct (a certificate: each reserved volunteer serves one
    need, so no overlap or budget can break it).

    Parameters
    ----------
    rng
        Draws the order in which needs are tried and the volunteers reserved.
    needs
        The drawn needs; about 1% become must-cover (at least one).
    pool
        The volunteers as arrays, to find who is eligible.
    horizon
        The planning horizon (its service days index the pool's windows).

    Returns
    -------
    needs, pins, reserved
        The needs with ``must_cover`` set on some, at most two pins, and the
        mask of reserved volunteers (kept out of forbidden pairs and travel
        extras).
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
        candidates = np.flatnonzero(pool.eligible(need, day_index) & ~reserved)
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
