"""The sample community of ``datasets/community_a``, modelled on the seed programme.

A railway vocational college and "Community A" (the seed document's case):
the generator's 200 volunteers with curated needs and households over two
weekends and the Mid-Autumn Festival of 2026, the coordinator's pins and
pairs, and two needs that stay open on purpose.  ``datasets/community_a`` is
this problem written with :func:`matcher.io.write_dataset`; a test checks that
the files on disk still load into it.  Its previous one-to-one pairing,
``datasets/community_a-previous-pairs.csv``, is
:func:`community_a_previous_pairing`.

Over 520 lines on purpose: the sample's curated data (households, their
support, the needs) are tables kept beside the code that turns them into
records, so the sample reads in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TypedDict, Unpack

import numpy as np

from matcher.calendar import build_horizon
from matcher.domain import (
    Gender,
    HistoryEntry,
    Household,
    HouseholdCategory,
    Need,
    NeedCategory,
    Pair,
    Pin,
    Problem,
    Role,
    Skill,
    Support,
    SupportPair,
    VisitFrequency,
    Volunteer,
)
from matcher.generate.arrays import BoolArray
from matcher.generate.people import ROLES, Pool
from matcher.generate.problem import build
from matcher.generate.vocabulary import (
    CENTRE,
    CLASSROOM,
    CLINIC,
    GATE,
    REPAIR_FAIR,
    ROAD,
    SKILL_CODE,
    SQUARE,
    area_names,
)

_C = NeedCategory
_H = HouseholdCategory
_ELDER, _POOR, _DISABLED, _CHILD = (
    _H.ELDERLY_ALONE,
    _H.FAMILY_IN_DIFFICULTY,
    _H.DISABLED,
    _H.LEFT_BEHIND_CHILD,
)

#: Seed of the volunteers of :func:`community_a`.
COMMUNITY_A_SEED = 20260919

_A_DAY1 = dt.date(2026, 9, 19)  # Saturday
_A_FESTIVAL = dt.date(2026, 9, 25)  # Friday, 中秋节 (statutory holiday)
_A_DAY2 = dt.date(2026, 9, 26)  # Saturday
_A_DAY3 = dt.date(2026, 9, 27)  # Sunday
_A_AREAS = area_names(4)

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

# One-to-one support (点对点帮扶) of the curated households: id, priority, visit
# days, visit times, frequency ("每周", "隔周" or dates), required gender, skills,
# refused volunteers.  H010 gets none; H017 needs 手语, which nobody in the sample
# has, and the two added households H019 and H020 can be paired with nobody (a
# language nobody speaks, a weekday evening nobody is free): the unpaired
# households a coordinator must hear about.
# fmt: off
_A_SUPPORT: tuple[tuple[str, int, str, str, str, str, str, str], ...] = (
    ("H001", 4, "周六", "09:00-11:30", "每周", "女", "", ""),
    ("H002", 4, "周六、周日", "14:30-17:00", "每周", "", "", ""),
    ("H003", 5, "周日", "09:00-11:30", "每周", "女", "", ""),
    ("H004", 3, "周六", "09:00-11:30", "每周", "", "", ""),
    ("H005", 4, "周六", "14:30-17:00", "隔周", "", "", ""),
    ("H006", 4, "周日", "", "隔周", "", "健康监测", ""),
    ("H007", 5, "周六、周日", "09:00-11:30", "每周", "", "", ""),
    ("H008", 3, "周日", "14:30-17:00", "每周", "", "", ""),
    ("H009", 3, "周六", "", "隔周", "", "", ""),
    ("H011", 3, "周日", "14:30-17:00", "每周", "", "辅导功课", ""),
    ("H012", 3, "", "09:00-11:30", "2026-09-26、2026-10-10、2026-10-24", "", "", ""),
    ("H013", 4, "周六", "14:30-17:00", "每周", "", "辅导功课", ""),
    ("H014", 3, "周日", "09:00-11:30", "每周", "", "", ""),
    ("H015", 3, "周六、周日", "", "每周", "", "", "V0001"),
    ("H016", 3, "周六", "", "每周", "", "辅导功课", ""),
    ("H017", 4, "周六", "09:00-11:30", "每周", "", "手语", ""),
    ("H018", 4, "周六、周日", "09:00-11:30", "每周", "", "", ""),
    ("H019", 4, "周日", "09:00-11:30", "每周", "", "", ""),
    ("H020", 3, "周三", "19:00-20:30", "每周", "", "", ""),
)
# Households with one-to-one support but no need in the horizon (the roster is unchanged).
_A_SUPPORT_ONLY: tuple[tuple[str, str, HouseholdCategory, int, str, str, str], ...] = (
    ("H019", "9栋1单元702", _ELDER, 2, "粤语", "", "陈大爷，80岁，广东来柳，只会说粤语"),
    ("H020", "4栋3单元402", _POOR, 1, "普通话", "", "夫妻均上白班，只在周三晚上在家"),
)
# fmt: on


def _t(text: str) -> int:
    """``"09:30"`` as minutes after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class _NeedFields(TypedDict, total=False):
    """Fields a curated need passes to :class:`~matcher.domain.Need` as they are."""

    location: str
    departments: tuple[str, ...]
    min_volunteers: int
    priority: int
    lead_required: bool
    joint_departments: tuple[str, ...]
    required_gender: Gender | None
    required_languages: tuple[str, ...]
    must_cover: bool


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
    area: str = "",
    max_volunteers: int | None = None,
    **fields: Unpack[_NeedFields],
) -> Need:
    """One curated need of Community A, written the way a coordinator would.

    The shorthand: ``window`` is ``"09:00-11:00"`` (none: an untimed need),
    ``duration`` defaults to the whole window (60 minutes untimed),
    ``skills`` reads ``"理发:2、急救"``, a need at a household is in the
    household's area and ``max_volunteers`` defaults to ``min_volunteers``.
    Every other field keeps its name and its default from the Need itself.
    """
    start = end = None
    if window:
        first, last = window.split("-")
        start, end = _t(first), _t(last)
    if duration is None:
        duration = (end - start) if start is not None and end is not None else 60
    if household is not None and not area:
        area = _A_AREAS[next(h[3] for h in _A_HOUSEHOLDS if h[0] == household)]
    if max_volunteers is None:
        max_volunteers = fields.get("min_volunteers", 1)
    skill_list = []
    for item in filter(None, skills.split("、")):
        name, _, level = item.partition(":")
        skill_list.append(Skill(name, int(level or 1)))
    return Need(
        id=f"N{number:03d}",
        title=title,
        category=category,
        duration=duration,
        date=day,
        start=start,
        end=end,
        household_id=household,
        area=area,
        skills=tuple(skill_list),
        max_volunteers=max_volunteers,
        **fields,
    )


def _community_a_needs() -> list[Need]:
    """The curated needs of two weekends and the Mid-Autumn Festival.

    A table written as one call per need, in date order: it is
    data a coordinator would read and edit row by row, so it stays in one
    piece rather than being cut to the length of a function.
    """
    d1, fest, d2, d3 = _A_DAY1, _A_FESTIVAL, _A_DAY2, _A_DAY3
    female = Gender.FEMALE
    liuzhou = ("柳州话",)
    centre, square, classroom = CENTRE, SQUARE, CLASSROOM
    clinic, gate, road = CLINIC, GATE, ROAD
    e, tu, cl = _C.ELDERLY_CARE, _C.TUTORING, _C.CLEAN_UP
    pu, cu, mw, ot = _C.PUBLICITY, _C.CULTURE, _C.MICRO_WISH, _C.OTHER
    ap, hc = _C.REPAIR_APPLIANCE, _C.HAIRCUT
    n = _a_need
    # fmt: off
    return [
        # Saturday 09-19
        n(1, "社区环境清扫（主干道）", cl, d1, "08:30-11:30", location=road,
          min_volunteers=4, max_volunteers=8, lead_required=True),
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
          max_volunteers=2, priority=4, required_languages=liuzhou),
        n(8, "探访独居老人（张大爷）", e, d1, "09:30-11:00", household="H004"),
        n(9, "留守儿童上门辅导", tu, d1, "14:00-17:30", 90, skills="辅导功课",
          household="H013"),
        n(10, "活动摄影与宣传稿", pu, d1, "08:30-12:00", 60, skills="摄影宣传",
          location=centre, priority=2),
        n(11, "自行车电动车义务维修", _C.REPAIR_VEHICLE, d1, "09:00-11:30",
          skills="自行车维修", location=square, max_volunteers=2, priority=2),
        # Friday 09-25, 中秋节
        n(12, "中秋节探访独居老人（李奶奶）", e, fest, "09:00-10:30", household="H001",
          min_volunteers=2, priority=5, required_gender=female, required_languages=liuzhou),
        n(13, "中秋节探访独居老人（覃大爷）", e, fest, "09:00-10:30", household="H002",
          max_volunteers=2, priority=5, must_cover=True),
        n(14, "中秋节探访独居老人（韦奶奶）", e, fest, "10:00-11:30", household="H003",
          max_volunteers=2, priority=5, required_gender=female, required_languages=liuzhou),
        n(15, "中秋节探访独居老人（张大爷）", e, fest, "15:00-16:30", household="H004",
          max_volunteers=2, priority=5, must_cover=True),
        n(16, "中秋节探访独居老人（黄奶奶）", e, fest, "15:00-16:30", household="H005",
          max_volunteers=2, priority=5, required_gender=female),
        n(17, "中秋节探访独居老人（莫大爷）", e, fest, "09:30-11:00", household="H006",
          max_volunteers=2, priority=5, required_languages=liuzhou),
        n(18, "中秋节探访独居老人（刘奶奶）", e, fest, "14:30-16:00", household="H007",
          max_volunteers=2, priority=5, required_gender=female),
        n(19, "中秋节探访独居老人（蒙大爷）", e, fest, "10:00-11:30", household="H008",
          max_volunteers=2, priority=5),
        n(20, "中秋节为困难家庭送月饼", ot, fest, "09:00-12:00", 90, location=centre,
          min_volunteers=2, max_volunteers=4, priority=4),
        n(21, "中秋节为独居老人送月饼", ot, fest, "14:00-17:30", 90, location=centre,
          min_volunteers=2, max_volunteers=3, priority=4),
        n(22, "中秋节留守儿童陪伴·做月饼", tu, fest, "14:30-16:30", location=classroom,
          min_volunteers=2, max_volunteers=3, priority=4, lead_required=True),
        n(23, "中秋节文艺汇演", cu, fest, "15:00-17:00", skills="文艺表演", location=square,
          min_volunteers=3, max_volunteers=6),
        n(24, "中秋节晚间猜灯谜游园会", cu, fest, "19:00-21:00", location=square,
          min_volunteers=2, max_volunteers=4),
        n(25, "中秋节书法写福字送邻里", cu, fest, "09:00-11:00", skills="书法",
          location=square, max_volunteers=2, priority=2),
        # Saturday 09-26
        n(26, "家电维修与汽车养护便民服务", ap, d2, "08:30-11:30", location=square,
          departments=REPAIR_FAIR, min_volunteers=4, max_volunteers=8, priority=4,
          lead_required=True, joint_departments=REPAIR_FAIR),
        n(27, "植树补绿（学校捐赠苗木）", ot, d2, "08:30-11:30", location=road,
          min_volunteers=6, max_volunteers=12, lead_required=True),
        n(28, "党史宣讲·《红色传奇》观影", cu, d2, "14:30-16:30", skills="党史宣讲",
          location=centre, departments=("马克思主义学院",), min_volunteers=2,
          max_volunteers=3, priority=4, lead_required=True),
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
          max_volunteers=2, required_gender=female),
        n(37, "搬运爱心物资（雷锋超市）", ot, d2, "08:30-10:00", skills="搬运",
          location=centre, min_volunteers=2, max_volunteers=3, priority=2),
        n(38, "留守儿童上门辅导", tu, d2, "14:00-17:30", 90, skills="辅导功课",
          household="H014"),
        # Sunday 09-27
        n(39, "清理楼道小广告", cl, d3, "08:30-11:30", area=_A_AREAS[1], min_volunteers=3,
          max_volunteers=6, priority=2, lead_required=True),
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
          required_languages=liuzhou),
        n(49, "探访独居老人（黄奶奶）", e, d3, "14:30-16:00", household="H005"),
        n(50, "留守儿童上门辅导", tu, d3, "14:00-17:30", 90, skills="辅导功课",
          household="H015"),
        n(51, "困难家庭帮扶走访", ot, d3, "09:30-11:00", household="H011", min_volunteers=2,
          lead_required=True),
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


def _without_sign_language(
    volunteers: Sequence[Volunteer], pool: Pool
) -> tuple[tuple[Volunteer, ...], Pool]:
    """The volunteers and their pool with 手语 taken away from everyone."""
    # Nobody in the sample signs 手语: the sign-language need stays open on purpose.
    kept = tuple(
        dataclasses.replace(v, skills=tuple(s for s in v.skills if s.name != "手语"))
        if any(s.name == "手语" for s in v.skills)
        else v
        for v in volunteers
    )
    pool = dataclasses.replace(pool, level=pool.level.copy())
    pool.level[:, SKILL_CODE["手语"]] = 0
    return kept, pool


def _curated_households() -> list[Household]:
    """The households of :data:`_A_HOUSEHOLDS` and :data:`_A_SUPPORT_ONLY` as records."""
    households = [
        Household(
            id=hid,
            address=address,
            category=category,
            area=_A_AREAS[area],
            languages=tuple(languages.split("、")),
            preferred_gender=Gender.FEMALE if preferred == "女" else None,
            notes=notes,
            # a contact for the team that visits, in the same unassigned range as volunteers'
            phone=f"199-0090-{int(hid[1:]):04d}",
        )
        for hid, address, category, area, languages, preferred, notes in (
            *_A_HOUSEHOLDS,
            *_A_SUPPORT_ONLY,
        )
    ]
    support = {row[0]: row for row in _A_SUPPORT}
    return [_with_support(h, support[h.id]) if h.id in support else h for h in households]


def _with_support(
    household: Household, row: tuple[str, int, str, str, str, str, str, str]
) -> Household:
    """A curated household with its one-to-one support of :data:`_A_SUPPORT`."""
    _hid, priority, days, times, frequency, gender, skills, refused = row
    weekdays = {"周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6, "周日": 7}
    dates = () if frequency in ("每周", "隔周") else frequency.split("、")
    return dataclasses.replace(
        household,
        support=Support.ONE_TO_ONE,
        priority=priority,
        visit_days=tuple(weekdays[d] for d in days.split("、") if d),
        visit_times=tuple(
            (_t(a), _t(b)) for a, b in (t.split("-") for t in times.split("、") if t)
        ),
        visit_frequency=VisitFrequency.FORTNIGHTLY
        if frequency == "隔周"
        else VisitFrequency.DATES
        if dates
        else VisitFrequency.WEEKLY,
        visit_dates=tuple(dt.date.fromisoformat(d) for d in dates),
        required_gender=Gender.FEMALE if gender == "女" else None,
        skills=tuple(Skill(name) for name in skills.split("、") if name),
        refused=tuple(v for v in refused.split("、") if v),
    )


def _tied_history(
    history: Sequence[HistoryEntry], households: Sequence[Household]
) -> list[HistoryEntry]:
    """The generator's service record, its home visits moved to the curated households."""
    by_category: dict[HouseholdCategory, list[str]] = {}
    for h in households:
        by_category.setdefault(h.category, []).append(h.id)
    elderly = by_category[_H.ELDERLY_ALONE]
    children = by_category[_H.LEFT_BEHIND_CHILD]
    tied = []
    for k, entry in enumerate(history):
        household_id = None
        if entry.household_id is not None:
            group = children if entry.category == _C.TUTORING else elderly
            if entry.category == _C.MICRO_WISH:
                group = [h.id for h in households]
            household_id = group[k % len(group)]
        tied.append(dataclasses.replace(entry, household_id=household_id))
    return tied


@dataclasses.dataclass(frozen=True)
class _Candidates:
    """Who could take the curated needs: pins and pairs name real candidates."""

    pool: Pool
    needs: dict[str, Need]
    day_index: dict[dt.date, int]

    def first(self, need_id: str, among: BoolArray | None = None, skip: int = 0) -> int:
        """Index of the eligible volunteer number ``skip`` (from 0), ``among`` only if given."""
        mask = self.pool.eligible(self.needs[need_id], self.day_index)
        if among is not None:
            mask &= among
        found = np.flatnonzero(mask)
        return int(found[skip])


def _coordinator_pairs(
    candidates: _Candidates, history: Sequence[HistoryEntry], visitor: int
) -> list[Pair]:
    """Coordinator knowledge: continuity, one pair kept apart, travel from far away."""
    ids = candidates.pool.ids
    first = candidates.first
    served: dict[str, str] = {}
    for entry in history:
        if entry.household_id and entry.attended:
            served.setdefault(entry.household_id, entry.volunteer_id)
    li_visitor = first("N012", skip=1)
    return [
        Pair(ids[li_visitor], household_id="H001", affinity=3),
        Pair(served["H003"], household_id="H003", affinity=2),
        Pair(served["H013"], household_id="H013", affinity=2),
        Pair(ids[visitor], household_id="H004", affinity=2),
        Pair(ids[first("N019")], household_id="H008", forbidden=True),
        Pair(ids[first("N027", skip=2)], need_id="N027", affinity=-1),
        Pair(ids[first("N026", skip=3)], need_id="N026", extra_minutes=20),
        Pair(ids[first("N041")], need_id="N041", extra_minutes=15),
        Pair(ids[first("N035")], household_id="H006", extra_minutes=10),
    ]


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
    base, pool = build(rng, 200, 0, horizon, len(_A_AREAS), "community_a")
    volunteers, pool = _without_sign_language(base.volunteers, pool)
    households = _curated_households()
    needs = _community_a_needs()
    # the past visits of the households with needs, as before H019 and H020 were added
    history = _tied_history(base.history, households[: len(_A_HOUSEHOLDS)])
    day_index = {d: j for j, d in enumerate(horizon.service_days)}
    candidates = _Candidates(pool, {need.id: need for need in needs}, day_index)
    # Pins: a teacher of 装备制造学院 leads the repair fair; the regular
    # visitor of 张大爷 keeps visiting him (continuity).
    teacher = pool.role == ROLES.index(Role.TEACHER)
    fair_lead = candidates.first("N026", teacher & pool.can_lead & (pool.department == 0))
    visitor = candidates.first("N008", pool.role == ROLES.index(Role.STUDENT))
    pins = [Pin(pool.ids[fair_lead], "N026"), Pin(pool.ids[visitor], "N008")]
    history.append(
        HistoryEntry(
            pool.ids[visitor], dt.date(2026, 9, 12), 90, True, "P-0912-01", "H004", _C.ELDERLY_CARE
        )
    )
    return base.replace(
        volunteers=volunteers,
        needs=tuple(needs),
        households=tuple(households),
        pairs=tuple(_coordinator_pairs(candidates, history, visitor)),
        pins=tuple(pins),
        history=tuple(history),
    )


def community_a_previous_pairing() -> list[SupportPair]:
    """The pairing in place before this term (``datasets/community_a-previous-pairs.csv``).

    Each household with one-to-one support had, as primary and backup, the
    compatible volunteers who had visited it most (then in file order, each
    within their ``max_households``), as a coordinator would have paired
    them; except that H004's backup, V0999, has left since, and H001's
    primary is a man, though 李奶奶 now requires a woman: the two changes a
    new pairing must make, and say why.
    """
    # the rules of a pair, not the solver: the previous pairing is data, not a result
    from matcher.pairing.rules import PairingScreen

    problem = community_a()
    screen = PairingScreen(problem)
    room = {v.id: v.max_households for v in problem.volunteers}
    pairs = []
    for household in problem.households:
        if not household.one_to_one:
            continue
        eligible = screen.eligible(household).tolist()
        eligible.sort(key=lambda v: (-screen.past_visits(household.id, v), v))
        chosen = [problem.volunteers[v].id for v in eligible if room[problem.volunteers[v].id] > 0][
            :2
        ]
        if not chosen:
            continue
        for volunteer_id in chosen:
            room[volunteer_id] -= 1
        pair = SupportPair(household.id, chosen[0], chosen[1] if len(chosen) > 1 else None)
        if household.id == "H004":
            pair = dataclasses.replace(pair, backup_id="V0999")
        if household.id == "H001":
            man = next(v for v in problem.volunteers if v.gender == Gender.MALE and room[v.id] > 0)
            room[man.id] -= 1
            pair = dataclasses.replace(pair, primary_id=man.id)
        pairs.append(pair)
    return pairs
