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

import numpy as np
import numpy.typing as npt

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

BoolArray = npt.NDArray[np.bool_]

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


def draw_needs(
    rng: np.random.Generator,
    count: int,
    horizon: Horizon,
    households: Sequence[Household],
    pool: Pool,
    areas: Sequence[str],
) -> list[Need]:
    """Draw needs on service days inside the volunteers' usual windows."""
    if count == 0:
        return []
    days = horizon.service_days
    categories = tuple(CATEGORY_P)
    category = rng.choice(len(categories), size=count, p=tuple(CATEGORY_P.values()))
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

    by_category: dict[HouseholdCategory, list[int]] = {c: [] for c in HOUSEHOLD_CATEGORIES}
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
                joint = REPAIR_FAIR
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


def reserve(
    rng: np.random.Generator,
    needs: list[Need],
    pool: Pool,
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
