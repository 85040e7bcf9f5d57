"""The dataset format as data: every sheet, its columns and their Chinese aliases.

This is the one table the loader, the writers, the template and the test of
``docs/data-format.md`` read; change a column here and everything follows.
The Chinese words accepted for enumeration values (:data:`ENUM_WORDS`) are
part of the format too, so they live here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from matcher.attendance import AttendanceStatus
from matcher.domain import (
    AssignmentRole,
    Gender,
    HouseholdCategory,
    Membership,
    NeedCategory,
    Role,
    Support,
    VisitFrequency,
)
from matcher.validate import MAX_HORIZON_DAYS  # a rule of a valid problem, re-exported

__all__ = [
    "ATTENDANCE_SHEET",
    "ENUM_WORDS",
    "MAX_HORIZON_DAYS",
    "MAX_ISSUES",
    "PAIRING_SHEET",
    "ROSTER_COLUMNS",
    "ROSTER_COLUMNS_ZH",
    "ROSTER_SHEET",
    "SHEETS",
    "AvailabilityKind",
    "Column",
    "SheetSpec",
]

MAX_ISSUES = 50
"""Most issues reported by one :class:`~matcher.errors.DataError` (the rest are counted)."""


class AvailabilityKind(StrEnum):
    """Kind of an ``availability`` row."""

    AVAILABLE = "available"
    BLACKOUT = "blackout"


class Column(NamedTuple):
    """One column of a sheet.

    ``zh`` are the accepted Chinese headers (the first is the one templates
    show); ``note`` explains the column in the template's 说明 sheet.
    """

    zh: tuple[str, ...]
    required: bool = False
    note: str = ""


class SheetSpec(NamedTuple):
    """One sheet (CSV file) of a dataset: English and Chinese name, columns."""

    name: str
    zh: str
    required: bool
    columns: dict[str, Column]

    def aliases(self, column: str) -> tuple[str, ...]:
        """Every accepted header of ``column``, English first."""
        return (column, *self.columns[column].zh)


START_TIME_ALIASES = ("开始", "开始时间")
END_TIME_ALIASES = ("结束", "结束时间")
# The same words head a volunteer's and a household's phone: a coordinator
# copies columns between her lists.
PHONE_ALIASES = ("电话", "联系电话", "手机", "手机号", "手机号码")

# Written out sheet by sheet, one line per column (key, Chinese headers,
# required, note), on purpose: this literal already is the data table, read
# like the one in docs/data-format.md, and its lines look alike because the
# rows of a table do.  A denser form (tuples, or a text table parsed at
# import) would drop the field names or the checks and still need a line
# per column; a Column shared between sheets (volunteer_id, id) would send
# the reader of one sheet elsewhere to see it.  Only the time and phone
# headers, which must agree wherever they are read, are shared.
SHEETS: dict[str, SheetSpec] = {
    spec.name: spec
    for spec in (
        SheetSpec(
            "horizon",
            "规划期",
            True,
            {
                "start": Column(("开始日期",), True, "规划期第一天，如 2026-10-01"),
                "end": Column(("结束日期",), True, "规划期最后一天（不超过开始后 366 天）"),
                "extra_days": Column(
                    ("加开服务日",), False, "工作日但照常服务的日期，多个用 ; 分隔"
                ),
                "excluded_days": Column(("停止服务日",), False, "休息日但不服务的日期"),
                "festivals": Column(
                    ("节日",), False, "日期:节日名，如 2026-09-25:中秋节；节日为服务日"
                ),
            },
        ),
        SheetSpec(
            "departments",
            "学院",
            True,
            {
                "name": Column(
                    ("学院", "名称"), True, "二级学院名称（社区居民填社区名，如 A社区），唯一"
                ),
                "fit_categories": Column(
                    ("擅长类别",), False, "适合的需求类别（软偏好），多个用 ; 分隔"
                ),
            },
        ),
        SheetSpec(
            "skills",
            "技能",
            False,
            {
                "name": Column(
                    ("技能", "名称"), True, "技能名称，唯一；有此表时志愿者和需求的技能必须在表中"
                ),
            },
        ),
        SheetSpec(
            "volunteers",
            "志愿者",
            True,
            {
                "id": Column(("编号",), True, "唯一编号"),
                "name": Column(("姓名",), True, "姓名"),
                "role": Column(("身份",), True, "教师（含辅导员）/ 学生 / 职工 / 居民"),
                "membership": Column(
                    ("政治面貌",), True, "中共党员 / 预备党员 / 入党积极分子 / 共青团员 / 群众"
                ),
                "department": Column(("学院",), True, "学院（须在 学院 表中）"),
                "skills": Column(
                    ("技能",), False, "技能，可带等级 1-3，如 家电维修:3；多个用 ; 分隔"
                ),
                "languages": Column(("语言",), False, "普通话、柳州话、壮语 ..."),
                "gender": Column(("性别",), False, "男 / 女"),
                "max_shifts": Column(("最多班次",), False, "规划期内最多参加几次，默认 2"),
                "max_hours": Column(("最多小时",), False, "规划期内最多小时数（可有小数），默认 8"),
                "phone": Column(PHONE_ALIASES, False, "联系电话（个人信息）"),
                "home_area": Column(("居住片区",), False, "居住片区"),
                "max_travel": Column(
                    ("最远路程（分钟）", "最远路程(分钟)", "最远路程", "服务半径"),
                    False,
                    "只去从居住片区出发路程不超过这么多分钟的需求（按 路程 表计算）；空 = 不限",
                ),
                "email": Column(
                    ("邮箱", "电子邮箱", "电子邮件"), False, "电子邮箱（个人信息），用于发送提醒"
                ),
                "max_households": Column(
                    ("最多帮扶户数", "最多结对户数"),
                    False,
                    "点对点帮扶最多结对几户（主帮扶和备岗都算），默认 2；0 = 不参加结对",
                ),
            },
        ),
        SheetSpec(
            "availability",
            "时间",
            True,
            {
                "volunteer_id": Column(("志愿者编号",), True, "志愿者编号"),
                "date": Column(("日期",), False, "具体日期（与 星期 二选一）"),
                "weekday": Column(
                    ("星期",), False, "每周几：1-7、周六、星期日 ...（与 日期 二选一）"
                ),
                "start": Column(
                    START_TIME_ALIASES,
                    False,
                    "开始时间，如 09:00；结束为空时可填整个时段："
                    "14:00-16:00、下午2点-4点、全天（08:00-18:00）",
                ),
                "end": Column(END_TIME_ALIASES, False, "结束时间，晚于开始时间"),
                "kind": Column(("类型",), False, "可以（默认）/ 不可以（整天不可，需填日期）"),
            },
        ),
        SheetSpec(
            "households",
            "住户",
            False,
            {
                "id": Column(("编号",), True, "唯一编号"),
                "address": Column(("地址",), True, "楼栋门牌（个人信息）"),
                "phone": Column(PHONE_ALIASES, False, "联系电话（个人信息，可不填）"),
                "category": Column(
                    ("类别",), True, "独居老人 / 困难家庭 / 残疾人 / 留守儿童 / 其他"
                ),
                "area": Column(("片区",), False, "所在片区"),
                "languages": Column(("语言",), False, "家中使用的语言"),
                "preferred_gender": Column(("偏好性别",), False, "希望的志愿者性别（软偏好）"),
                "notes": Column(("备注",), False, "备注"),
                "support": Column(
                    ("帮扶方式", "点对点帮扶"),
                    False,
                    "点对点（固定一名主帮扶志愿者和一名备岗）/ 无（默认）",
                ),
                "priority": Column(
                    ("帮扶优先级",), False, "1（低）.. 5（高），默认 3；志愿者不够时先结对高的"
                ),
                "required_gender": Column(
                    ("性别要求",), False, "结对志愿者必须为此性别（硬性要求）"
                ),
                "skills": Column(
                    ("所需技能",), False, "结对志愿者须具备的技能（可带等级），如 手语"
                ),
                "visit_days": Column(
                    ("探访日", "探访星期"), False, "希望探访的星期，如 周六;周日；空 = 任意一天"
                ),
                "visit_times": Column(
                    ("探访时段", "探访时间"),
                    False,
                    "希望探访的时段，如 09:00-11:30；多个用 ; 分隔；空 = 任意时间",
                ),
                "visit_minutes": Column(
                    ("探访时长", "探访时长（分钟）"), False, "每次探访的分钟数，默认 60"
                ),
                "visit_frequency": Column(
                    ("探访频次", "频次"),
                    False,
                    "每周（默认）/ 隔周 / 按日期（只在 探访日期 探访）",
                ),
                "visit_dates": Column(
                    ("探访日期",), False, "频次为 按日期 时的探访日期，多个用 ; 分隔"
                ),
                "refused": Column(
                    ("不接受的志愿者", "拒绝的志愿者"),
                    False,
                    "住户不接受的志愿者编号，多个用 ; 分隔；结对时绝不安排",
                ),
            },
        ),
        SheetSpec(
            "needs",
            "需求",
            True,
            {
                "id": Column(("编号",), True, "唯一编号"),
                "title": Column(("名称",), True, "需求名称，如 重阳节探访独居老人"),
                "category": Column(
                    ("类别",),
                    True,
                    "家电维修 / 车辆维修 / 关爱老人 / 理发 / 四点半课堂 / 环境清扫 / "
                    "宣传 / 文化 / 微心愿 / 其他",
                ),
                "household_id": Column(("住户编号",), False, "服务的住户编号"),
                "location": Column(("地点",), False, "地点（路程按地点计算）"),
                "area": Column(("片区",), False, "片区，默认为住户所在片区"),
                "date": Column(("日期",), False, "日期；空 = 规划期内任意时间完成"),
                "start": Column(
                    START_TIME_ALIASES,
                    False,
                    "开始时间（或可选时段的开始）；结束为空时可填整个时段：14:00-16:00、全天",
                ),
                "end": Column(END_TIME_ALIASES, False, "结束时间（或可选时段的结束）"),
                "duration_minutes": Column(
                    ("时长",),
                    False,
                    "工作分钟数；时段长于时长时由系统选开始时间；默认 结束-开始，无日期时 60",
                ),
                "skills": Column(("所需技能",), False, "每位志愿者都须具备（可带等级）"),
                "departments": Column(("限定学院",), False, "只限这些学院的志愿者（任一）"),
                "min_volunteers": Column(("最少人数",), False, "默认 1；不足则不安排"),
                "max_volunteers": Column(("最多人数",), False, "默认 = 最少人数"),
                "priority": Column(("优先级",), False, "1（低）.. 5（高），默认 3"),
                "lead_required": Column(
                    ("需要带队",), False, "是：至少一名教师或党员（含预备党员）"
                ),
                "joint_departments": Column(("联合学院",), False, "这些学院每个至少一人"),
                "required_gender": Column(("性别要求",), False, "全部志愿者须为此性别"),
                "required_languages": Column(("语言要求",), False, "每种语言至少一人会说"),
                "must_cover": Column(("必须安排",), False, "是：必须安排，否则无解"),
            },
        ),
        SheetSpec(
            "pairs",
            "结对偏好",
            False,
            {
                "volunteer_id": Column(("志愿者编号",), True, "志愿者编号"),
                "need_id": Column(("需求编号",), False, "需求编号（与 住户编号 二选一）"),
                "household_id": Column(("住户编号",), False, "住户编号（对该住户所有需求有效）"),
                "affinity": Column(("亲和度",), False, "整数；正数 = 优先，负数 = 避免"),
                "forbidden": Column(("禁止",), False, "是：绝不安排"),
                "extra_minutes": Column(("额外分钟",), False, "计入志愿者时长的额外路程分钟"),
            },
        ),
        SheetSpec(
            "pins",
            "固定安排",
            False,
            {
                "volunteer_id": Column(("志愿者编号",), True, "志愿者编号"),
                "need_id": Column(("需求编号",), True, "需求编号"),
                "start": Column(START_TIME_ALIASES, False, "开始时间（仅可选时段的需求）"),
            },
        ),
        SheetSpec(
            "history",
            "历史记录",
            False,
            {
                "volunteer_id": Column(("志愿者编号",), True, "志愿者编号"),
                "date": Column(("日期",), True, "服务日期"),
                "need_id": Column(("需求编号",), False, "当时的需求编号（自由填写）"),
                "household_id": Column(("住户编号",), False, "住户编号（用于结对连续性）"),
                "category": Column(("类别",), False, "需求类别"),
                "hours": Column(("小时",), False, "服务小时数"),
                "attended": Column(("出勤",), False, "是（默认）/ 否（缺席）"),
            },
        ),
        SheetSpec(
            "travel",
            "路程",
            False,
            {
                "from": Column(("起点",), True, "地点或片区"),
                "to": Column(("终点",), True, "地点或片区"),
                "minutes": Column(("分钟",), True, "路程分钟数（未填反方向时视为相同）"),
            },
        ),
    )
}
"""Every sheet of a dataset, by English name, in the documented order."""

# One entry per roster column, English header to Chinese header: the two
# header rows below are read off it, so they cannot fall out of step.
_ROSTER_HEADERS: dict[str, str] = {
    "need_id": "需求编号",
    "need_title": "需求名称",
    "volunteer_id": "志愿者编号",
    "volunteer_name": "姓名",
    "department": "学院",
    "date": "日期",
    "start": "开始",
    "end": "结束",
    "role": "角色",
}

ROSTER_COLUMNS: tuple[str, ...] = tuple(_ROSTER_HEADERS)
"""English headers of ``roster.csv``, in order."""

ROSTER_COLUMNS_ZH: tuple[str, ...] = tuple(_ROSTER_HEADERS.values())
"""Chinese headers of ``roster.xlsx``, in the order of :data:`ROSTER_COLUMNS`."""

_ROSTER_REQUIRED = frozenset({"need_id", "volunteer_id"})
ROSTER_SHEET = SheetSpec(
    "roster",
    "排班表",
    True,
    {en: Column((zh,), en in _ROSTER_REQUIRED) for en, zh in _ROSTER_HEADERS.items()},
)
"""The roster file (``roster.csv`` / sheet 排班表 of ``roster.xlsx``) as a sheet."""

ATTENDANCE_SHEET = SheetSpec(
    "attendance",
    "出勤记录",
    True,
    {
        "need_id": Column(("需求编号",), True, "需求编号（须在数据集的 需求 表中）"),
        "need_title": Column(("需求名称",), False, "仅供对照，导入时不读取"),
        "volunteer_id": Column(("志愿者编号",), True, "志愿者编号（须在 志愿者 表中）"),
        "volunteer_name": Column(("姓名",), False, "仅供对照，导入时不读取"),
        "date": Column(("日期",), False, "服务日期；需求有固定日期时可不填"),
        "planned": Column(("计划时间",), False, "排班表中的时间，仅供对照，导入时不读取"),
        "status": Column(
            ("出勤情况", "出勤", "出勤状态", "状态"),
            True,
            "到岗 / 迟到 / 早退 / 缺席；空 = 尚未登记（该行跳过）",
        ),
        "start": Column(
            ("实际开始", "实际开始时间", *START_TIME_ALIASES),
            False,
            "实际开始时间，如 09:20；空 = 按计划",
        ),
        "end": Column(
            ("实际结束", "实际结束时间", *END_TIME_ALIASES),
            False,
            "实际结束时间，晚于开始；空 = 按计划",
        ),
        "reason": Column(("备注", "原因"), False, "迟到、早退、缺席的原因等"),
    },
)
"""The attendance sheet (``matcher attendance import``): one row per volunteer and need."""


PAIRING_SHEET = SheetSpec(
    "pairing",
    "帮扶结对",
    True,
    {
        "household_id": Column(("住户编号",), True, "住户编号"),
        "primary_id": Column(("主帮扶志愿者编号", "主帮扶"), True, "主帮扶志愿者编号"),
        "backup_id": Column(("备岗志愿者编号", "备岗"), False, "备岗志愿者编号；空 = 没有备岗"),
        "household": Column(("住户",), False, "仅供对照，导入时不读取"),
        "priority": Column(("帮扶优先级",), False, "仅供对照，导入时不读取"),
        "primary_name": Column(("主帮扶姓名",), False, "仅供对照，导入时不读取"),
        "backup_name": Column(("备岗姓名",), False, "仅供对照，导入时不读取"),
        "kept": Column(("延续",), False, "与上次结对相比：是 = 主帮扶未变（仅供对照）"),
        "primary_fit": Column(
            ("主帮扶匹配分",), False, "匹配分 = 亲和度 + 偏好 - 路程（仅供对照）"
        ),
        "primary_affinity": Column(
            ("主帮扶亲和度",), False, "结对偏好的亲和度加既往探访次数（最多 3 次，仅供对照）"
        ),
        "primary_preference": Column(
            ("主帮扶偏好满足",), False, "满足的住户偏好：偏好性别、首选语言（仅供对照）"
        ),
        "primary_travel": Column(("主帮扶路程（分钟）",), False, "从居住片区出发（仅供对照）"),
        "backup_fit": Column(("备岗匹配分",), False, "仅供对照，导入时不读取"),
        "backup_travel": Column(("备岗路程（分钟）",), False, "仅供对照，导入时不读取"),
    },
)
"""The pairing file (``pairs.csv`` / sheet 帮扶结对 of ``pairs.xlsx``): ``matcher pair`` writes
it, ``matcher pair --previous`` reads it back (only the first three columns)."""


ENUM_WORDS: dict[type[StrEnum], dict[StrEnum, tuple[str, ...]]] = {
    Role: {
        # A counsellor (辅导员) belongs to the college's teaching staff (教育部令第43号, art. 3:
        # "教师和管理队伍", with the dual standing of teacher and cadre) and leads student
        # teams; as a teacher the lead rule (a teacher or a party member) counts them.
        Role.TEACHER: ("教师", "老师", "辅导员"),
        Role.STUDENT: ("学生",),
        Role.STAFF: ("职工",),
        Role.RESIDENT: ("居民",),
    },
    Membership: {
        Membership.PARTY: ("中共党员", "共产党员", "党员"),
        Membership.PROBATIONARY: ("预备党员", "中共预备党员"),
        Membership.ACTIVIST: ("入党积极分子", "积极分子"),
        Membership.LEAGUE: ("共青团员", "团员"),
        Membership.NONE: ("群众", "无"),
    },
    Gender: {
        Gender.MALE: ("男", "男生", "男性", "M"),
        Gender.FEMALE: ("女", "女生", "女性", "F"),
    },
    HouseholdCategory: {
        HouseholdCategory.ELDERLY_ALONE: ("独居老人",),
        HouseholdCategory.FAMILY_IN_DIFFICULTY: ("困难家庭",),
        HouseholdCategory.DISABLED: ("残疾人", "残疾人家庭"),
        HouseholdCategory.LEFT_BEHIND_CHILD: ("留守儿童",),
        HouseholdCategory.OTHER: ("其他",),
    },
    NeedCategory: {
        NeedCategory.REPAIR_APPLIANCE: ("家电维修",),
        NeedCategory.REPAIR_VEHICLE: ("车辆维修",),
        NeedCategory.ELDERLY_CARE: ("关爱老人",),
        NeedCategory.HAIRCUT: ("理发", "义务理发"),
        NeedCategory.TUTORING: ("四点半课堂", "辅导"),
        NeedCategory.CLEAN_UP: ("环境清扫",),
        NeedCategory.PUBLICITY: ("宣传",),
        NeedCategory.CULTURE: ("文化", "文艺", "党史"),
        NeedCategory.MICRO_WISH: ("微心愿",),
        NeedCategory.OTHER: ("其他",),
    },
    AssignmentRole: {
        AssignmentRole.LEAD: ("带队",),
        AssignmentRole.MEMBER: ("队员",),
    },
    AttendanceStatus: {
        AttendanceStatus.ATTENDED: ("到岗", "出勤", "已到", "准时", "正常"),
        AttendanceStatus.LATE: ("迟到",),
        AttendanceStatus.LEFT_EARLY: ("早退",),
        AttendanceStatus.NO_SHOW: ("缺席", "未到", "爽约"),
    },
    Support: {
        Support.NONE: ("无", "普通", "否"),
        Support.ONE_TO_ONE: ("点对点", "点对点帮扶", "一对一", "结对帮扶", "是"),
    },
    VisitFrequency: {
        VisitFrequency.WEEKLY: ("每周", "每周一次"),
        VisitFrequency.FORTNIGHTLY: ("隔周", "每两周", "双周"),
        VisitFrequency.DATES: ("按日期", "指定日期"),
    },
    AvailabilityKind: {
        AvailabilityKind.AVAILABLE: ("可以",),
        AvailabilityKind.BLACKOUT: ("不可以",),
    },
}
"""Chinese words accepted for each enumeration value (the English value always is)."""
