"""Read and write datasets (a folder of CSV files or one XLSX workbook) and rosters.

The format is specified in ``docs/data-format.md``.  :func:`load_dataset`
turns a dataset into a validated :class:`~matcher.domain.Problem` or raises one
:class:`~matcher.errors.DataError` listing every problem found (file, row,
column, expected and found), so a coordinator can fix everything in one pass.
:func:`write_dataset` writes a dataset that loads back into an equal problem,
:func:`read_roster` reads a roster written by ``matcher solve`` and
:func:`write_template` writes an empty workbook with Chinese headers.

The parsers of single cells (:func:`parse_date`, :func:`parse_time`,
:func:`parse_enum`, ...) are public: they raise :class:`ValueError` with an
"expected ..., found ..." message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import numbers
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pandas as pd

from matcher.calendar import build_horizon
from matcher.domain import (
    Assignment,
    AssignmentRole,
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
    format_minutes,
    unique,
)
from matcher.errors import DataError, DataIssue

__all__ = [
    "ENUM_WORDS",
    "ROSTER_COLUMNS",
    "ROSTER_COLUMNS_ZH",
    "SHEETS",
    "AvailabilityKind",
    "Column",
    "SheetSpec",
    "load_dataset",
    "parse_bool",
    "parse_category",
    "parse_date",
    "parse_enum",
    "parse_gender",
    "parse_household_category",
    "parse_list",
    "parse_membership",
    "parse_role",
    "parse_skills",
    "parse_time",
    "parse_weekday",
    "read_roster",
    "write_dataset",
    "write_template",
]

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

MAX_ISSUES = 50
"""Most issues reported by one :class:`DataError` (the rest are counted)."""

MAX_HORIZON_DAYS = 366


class AvailabilityKind(StrEnum):
    """Kind of an ``availability`` row."""

    AVAILABLE = "available"
    BLACKOUT = "blackout"


# ---------------------------------------------------------------------------
# Sheets and columns: the one alias table
# ---------------------------------------------------------------------------


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


_START_TIME = ("开始", "开始时间")
_END_TIME = ("结束", "结束时间")

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
                "role": Column(("身份",), True, "教师 / 学生 / 职工 / 居民"),
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
                "phone": Column(("电话",), False, "联系电话（个人信息）"),
                "home_area": Column(("居住片区",), False, "居住片区"),
                "max_travel": Column(
                    ("最远路程（分钟）", "最远路程(分钟)", "最远路程", "服务半径"),
                    False,
                    "只去从居住片区出发路程不超过这么多分钟的需求（按 路程 表计算）；空 = 不限",
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
                "start": Column(_START_TIME, False, "开始时间，如 09:00"),
                "end": Column(_END_TIME, False, "结束时间，晚于开始时间"),
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
                "category": Column(
                    ("类别",), True, "独居老人 / 困难家庭 / 残疾人 / 留守儿童 / 其他"
                ),
                "area": Column(("片区",), False, "所在片区"),
                "languages": Column(("语言",), False, "家中使用的语言"),
                "preferred_gender": Column(("偏好性别",), False, "希望的志愿者性别（软偏好）"),
                "notes": Column(("备注",), False, "备注"),
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
                "start": Column(_START_TIME, False, "开始时间（或可选时段的开始）"),
                "end": Column(_END_TIME, False, "结束时间（或可选时段的结束）"),
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
                "start": Column(_START_TIME, False, "开始时间（仅可选时段的需求）"),
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

ROSTER_COLUMNS: tuple[str, ...] = (
    "need_id",
    "need_title",
    "volunteer_id",
    "volunteer_name",
    "department",
    "date",
    "start",
    "end",
    "role",
)
"""English headers of ``roster.csv``, in order."""

ROSTER_COLUMNS_ZH: tuple[str, ...] = (
    "需求编号",
    "需求名称",
    "志愿者编号",
    "姓名",
    "学院",
    "日期",
    "开始",
    "结束",
    "角色",
)
"""Chinese headers of ``roster.xlsx``, in the order of :data:`ROSTER_COLUMNS`."""

_ROSTER_REQUIRED = frozenset({"need_id", "volunteer_id"})
_ROSTER = SheetSpec(
    "roster",
    "排班表",
    True,
    {
        en: Column((zh,), en in _ROSTER_REQUIRED)
        for en, zh in zip(ROSTER_COLUMNS, ROSTER_COLUMNS_ZH, strict=True)
    },
)


# ---------------------------------------------------------------------------
# Enumerations: English value or Chinese word
# ---------------------------------------------------------------------------

ENUM_WORDS: dict[type[StrEnum], dict[StrEnum, tuple[str, ...]]] = {
    Role: {
        Role.TEACHER: ("教师", "老师"),
        Role.STUDENT: ("学生",),
        Role.STAFF: ("职工",),
        Role.RESIDENT: ("居民",),
    },
    Membership: {
        Membership.PARTY: ("中共党员", "党员"),
        Membership.PROBATIONARY: ("预备党员", "中共预备党员"),
        Membership.ACTIVIST: ("入党积极分子", "积极分子"),
        Membership.LEAGUE: ("共青团员", "团员"),
        Membership.NONE: ("群众", "无"),
    },
    Gender: {
        Gender.MALE: ("男",),
        Gender.FEMALE: ("女",),
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
    AvailabilityKind: {
        AvailabilityKind.AVAILABLE: ("可以",),
        AvailabilityKind.BLACKOUT: ("不可以",),
    },
}
"""Chinese words accepted for each enumeration value (the English value always is)."""


def _key(text: str) -> str:
    """Normalise a header or an enumeration word for lookup."""
    return re.sub(r"[\s_-]+", "_", text.strip().casefold()).strip("_")


_ENUM_LOOKUP: dict[type[StrEnum], dict[str, StrEnum]] = {
    cls: {_key(word): member for member, words in table.items() for word in (member.value, *words)}
    for cls, table in ENUM_WORDS.items()
}


def _accepted(cls: type[StrEnum]) -> str:
    return ", ".join(
        f"{member.value} ({'/'.join(words)})" for member, words in ENUM_WORDS[cls].items()
    )


# ---------------------------------------------------------------------------
# Cell parsers
# ---------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    """A cell as text: integral numbers without ``.0``, blanks as ``""``."""
    if _is_blank(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return str(value).strip()


def _found(value: Any) -> str:
    return repr(_text(value)) if not _is_blank(value) else "an empty cell"


_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?"
)


def parse_date(value: Any) -> dt.date:
    """Parse a date cell.

    Parameters
    ----------
    value
        ``2026-10-24``, ``2026/10/24``, ``2026.10.24``, ``2026年10月24日``,
        ``2026-10-24 00:00:00`` or a date/datetime object (an Excel date cell).

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.fullmatch(_text(value))
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(f"expected a date such as 2026-10-24, found {_found(value)}")


_CLOCK_RE = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?")
_DIGITS_RE = re.compile(r"(\d{1,2})(\d{2})")
_CHINESE_TIME_RE = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2})\s*[点时:：]\s*(?:(半)|(\d{1,2})\s*分?)?"
)
_EXCEL_EPOCHS = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1))


def _clock_minutes(value: Any) -> int | None:
    """Minutes after midnight of a time cell, or None if unreadable."""
    if isinstance(value, dt.datetime):
        if value.date() not in _EXCEL_EPOCHS:
            return None
        value = value.time()
    if isinstance(value, dt.time):
        return round(value.hour * 60 + value.minute + value.second / 60)
    if isinstance(value, dt.timedelta | pd.Timedelta):
        return round(value.total_seconds() / 60)
    if isinstance(value, float) and 0 <= value < 1:
        return round(value * 24 * 60)  # an Excel time stored as a fraction of a day
    text = _text(value)
    if match := _CLOCK_RE.fullmatch(text):
        hour, minute, second = match.groups()
        if second not in (None, "00") or int(minute) >= 60:
            return None
        return int(hour) * 60 + int(minute)
    if match := _DIGITS_RE.fullmatch(text):
        hour, minute = match.groups()
        return int(hour) * 60 + int(minute) if int(minute) < 60 else None
    if match := _CHINESE_TIME_RE.fullmatch(text):
        part, hour_text, half, minute_text = match.groups()
        hour = int(hour_text)
        if part in ("下午", "晚上") and hour < 12:
            hour += 12
        minute = 30 if half else int(minute_text or 0)
        if minute >= 60:
            return None
        return hour * 60 + minute
    return None


def parse_time(value: Any, *, end: bool = False) -> int:
    """Parse a time-of-day cell into minutes after midnight.

    Parameters
    ----------
    value
        ``09:00``, ``9:00``, ``9:00:00``, ``0900``, ``9点``, ``9点30``,
        ``下午3点`` or a time object (an Excel time cell).
    end
        Accept ``24:00`` (1440), for the end of a window.

    Returns
    -------
    int
        Minutes after midnight.

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    minutes = _clock_minutes(value)
    last = 24 * 60 if end else 24 * 60 - 1
    if minutes is None or not 0 <= minutes <= last:
        latest = "24:00" if end else "23:59"
        raise ValueError(
            f"expected a time from 00:00 to {latest} such as 09:00, found {_found(value)}"
        )
    return minutes


_WEEKDAY_WORDS: dict[str, int] = {
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), 1
        )
    },
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)},
    "tues": 2,
    "thur": 4,
    "thurs": 4,
}
_CHINESE_WEEKDAY_RE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天1-7])")
_CHINESE_DAYS = {
    **{ch: i for i, ch in enumerate("一二三四五六日", 1)},
    "天": 7,
    **{str(i): i for i in range(1, 8)},
}


def parse_weekday(value: Any) -> int:
    """Parse a weekday cell into 1 (Monday) .. 7 (Sunday).

    Parameters
    ----------
    value
        ``1``-``7``, ``周一``..``周日``/``周天``, ``星期一``..``星期日``,
        ``Mon``..``Sun`` or ``Monday``..``Sunday``.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    text = _text(value).casefold().rstrip(".")
    if text in {"1", "2", "3", "4", "5", "6", "7"}:
        return int(text)
    if text in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[text]
    if match := _CHINESE_WEEKDAY_RE.fullmatch(text):
        return _CHINESE_DAYS[match.group(1)]
    raise ValueError(f"expected a weekday 1-7, 周一..周日 or Mon..Sun, found {_found(value)}")


_TRUE = frozenset({"yes", "true", "1", "y", "是", "有", "√", "✓", "✔"})
_FALSE = frozenset({"no", "false", "0", "n", "否", "无", "×", "✗", "✘", ""})


def parse_bool(value: Any) -> bool:
    """Parse a yes/no cell (empty means no).

    Parameters
    ----------
    value
        ``yes/no``, ``true/false``, ``1/0``, ``y/n``, ``是/否``, ``有/无``,
        ``√/×`` or a boolean.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    text = _text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected yes/no (是/否, 1/0, √/×), found {_found(value)}")


_LIST_SPLIT = re.compile(r"[;；、,，]")


def parse_list(value: Any) -> tuple[str, ...]:
    """Split a list cell on ``;``, ``；``, ``、``, ``,`` or ``，``.

    Parameters
    ----------
    value
        The cell.

    Returns
    -------
    tuple of str
        Stripped, non-blank items without duplicates, in order.
    """
    return unique(item.strip() for item in _LIST_SPLIT.split(_text(value)))


_SKILL_RE = re.compile(r"(.+?)\s*(?:[:：]\s*(\d+)|[(（]\s*(\d+)\s*[)）])")


def parse_skills(value: Any) -> tuple[Skill, ...]:
    """Parse a list of skills with optional levels 1-3.

    Parameters
    ----------
    value
        For example ``家电维修:3; 理发`` (also ``家电维修：3``, ``家电维修(3)``,
        ``家电维修（3）``); without a level a skill has level 1.

    Returns
    -------
    tuple of Skill

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message for a level outside 1-3, or
        one skill listed with two different levels.
    """
    skills: dict[str, Skill] = {}
    for item in parse_list(value):
        match = _SKILL_RE.fullmatch(item)
        name, level = item, 1
        if match:
            name, level = match.group(1), int(match.group(2) or match.group(3))
        elif re.search(r"[:：]", item):
            raise ValueError(
                f"expected a skill with a level 1-3 such as 家电维修:3, found {item!r}"
            )
        if not 1 <= level <= 3:
            raise ValueError(f"expected a skill level from 1 to 3, found {item!r}")
        if name in skills and skills[name].level != level:
            raise ValueError(
                f"expected each skill once, found {name} with levels "
                f"{skills[name].level} and {level}"
            )
        skills.setdefault(name, Skill(name, level))
    return tuple(skills.values())


def parse_enum(cls: type[E], value: Any) -> E:
    """Parse an enumeration cell: the English value or an accepted Chinese word.

    Parameters
    ----------
    cls
        One of the enumerations in :data:`ENUM_WORDS`.
    value
        The cell; case, spaces and ``_``/``-`` do not matter for English values.

    Returns
    -------
    cls member

    Raises
    ------
    ValueError
        Listing the accepted values.
    """
    member = _ENUM_LOOKUP[cls].get(_key(_text(value)))
    if member is None:
        raise ValueError(f"expected one of {_accepted(cls)}, found {_found(value)}")
    return member  # type: ignore[return-value]


def parse_role(value: Any) -> Role:
    """Parse a volunteer role (``teacher``/教师, ...); see :func:`parse_enum`."""
    return parse_enum(Role, value)


def parse_membership(value: Any) -> Membership:
    """Parse a political membership (``party``/中共党员, ...); see :func:`parse_enum`."""
    return parse_enum(Membership, value)


def parse_gender(value: Any) -> Gender:
    """Parse a gender (``male``/男, ``female``/女); see :func:`parse_enum`."""
    return parse_enum(Gender, value)


def parse_household_category(value: Any) -> HouseholdCategory:
    """Parse a household category (``elderly-alone``/独居老人, ...); see :func:`parse_enum`."""
    return parse_enum(HouseholdCategory, value)


def parse_category(value: Any) -> NeedCategory:
    """Parse a need category (``haircut``/理发, ...); see :func:`parse_enum`."""
    return parse_enum(NeedCategory, value)


NUMBER_LIMIT = 1_000_000_000
"""Largest magnitude of any number in a sheet: keeps minutes and weights inside 64 bits."""


def _parse_int(value: Any) -> int:
    text = _text(value)
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not number.is_integer():
        raise ValueError(f"expected a whole number, found {_found(value)}")
    if abs(number) > NUMBER_LIMIT:
        raise ValueError(f"expected a number up to {NUMBER_LIMIT:,}, found {_found(value)}")
    return int(number)


def _parse_number(value: Any) -> float:
    try:
        number = float(_text(value))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"expected a number, found {_found(value)}")
    if abs(number) > NUMBER_LIMIT:
        raise ValueError(f"expected a number up to {NUMBER_LIMIT:,}, found {_found(value)}")
    return number


# ---------------------------------------------------------------------------
# Reading tables
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Table:
    """The rows of one sheet, keyed by canonical column."""

    label: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]


class _Issues:
    """Collects issues; raises them all at once."""

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self.items: list[DataIssue] = []
        self.limit = limit
        self.dropped = 0

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(DataIssue(file=file, row=row, column=column, message=message))
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        items = list(self.items)
        if self.dropped:
            items.append(DataIssue("dataset", None, None, f"... and {self.dropped} more issues"))
        raise DataError(items)


def _decode(data: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError.at(label, "not UTF-8 or GBK text; save it as CSV UTF-8 or CSV from Excel")


def _read_csv_frame(path: Path) -> pd.DataFrame:
    """Raw cells of a CSV file (header included), every cell a string."""
    label = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError.at(label, f"cannot read the file: {exc.strerror or exc}") from exc
    text = _decode(data, label)
    if not text.strip():
        raise DataError.at(label, "the file is empty; expected a header row")
    try:
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError.at(label, f"not a readable CSV file: {exc}") from exc


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Raw cells of every sheet of an XLSX workbook."""
    try:
        return pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, engine="openpyxl", na_filter=False
        )
    except FileNotFoundError as exc:
        raise DataError.at(path.name, "no such file") from exc
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise DataError.at(path.name, f"not a readable .xlsx workbook: {exc}") from exc


def _column_label(column: str, header: str | None) -> str:
    if header is None or _key(header) == _key(column):
        return column
    return f"{header} ({column})"


def _table(frame: pd.DataFrame, label: str, spec: SheetSpec, issues: _Issues) -> _Table | None:
    """Map the header row to canonical columns and collect the non-blank rows.

    Structural issues (no header, missing or doubled columns) go to ``issues``;
    the table is then None.
    """
    cells = frame.to_numpy(dtype=object).tolist()
    first = next((i for i, row in enumerate(cells) if not all(map(_is_blank, row))), None)
    if first is None:
        issues.add(label, None, None, "the sheet is empty; expected a header row")
        return None
    lookup = {_key(alias): column for column in spec.columns for alias in spec.aliases(column)}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ok = True
    for position, raw in enumerate(cells[first]):
        header = _text(raw)
        column = lookup.get(_key(header))
        if column is None:
            continue  # unknown columns are notes
        if column in positions:
            issues.add(
                label,
                first + 1,
                header,
                f"column {column} appears twice (also as {headers[column]!r}); keep one",
            )
            ok = False
        positions[column] = position
        headers[column] = header
    for column, info in spec.columns.items():
        if info.required and column not in positions:
            accepted = ", ".join(spec.aliases(column))
            issues.add(
                label,
                first + 1,
                column,
                f"missing required column {column}; accepted headers: {accepted}",
            )
            ok = False
    if not ok:
        return None
    rows = []
    for index in range(first + 1, len(cells)):
        row = {column: cells[index][position] for column, position in positions.items()}
        if not all(map(_is_blank, row.values())):
            rows.append((index + 1, row))
    return _Table(label, headers, rows)


def _find_csv(folder: Path, spec: SheetSpec) -> list[Path]:
    names = {f"{spec.name}.csv", f"{spec.zh}.csv"}
    return sorted(p for p in folder.iterdir() if p.name.casefold() in names and p.is_file())


def _read_dataset_tables(path: Path) -> tuple[dict[str, _Table], str]:
    """Read every sheet of a dataset; raise on structural problems."""
    issues = _Issues()
    frames: dict[str, tuple[str, pd.DataFrame]] = {}
    if path.is_dir():
        name = path.resolve().name
        missing: list[str] = []
        for spec in SHEETS.values():
            found = _find_csv(path, spec)
            if len(found) > 1:
                issues.add(
                    found[1].name,
                    None,
                    None,
                    f"both {found[0].name} and {found[1].name} exist; keep one",
                )
            elif found:
                try:
                    frames[spec.name] = (found[0].name, _read_csv_frame(found[0]))
                except DataError as exc:
                    for issue in exc.issues:
                        issues.add(issue.file, issue.row, issue.column, issue.message)
            elif spec.required:
                missing.append(f"{spec.name}.csv ({spec.zh}.csv)")
        if missing:
            issues.add(
                str(path),
                None,
                None,
                f"missing required file(s) in folder {path}: {', '.join(missing)}",
            )
    elif path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise DataError.at(str(path), "no such workbook")
        name = path.stem
        sheets = _read_workbook(path)
        by_key = {_key(str(sheet)): str(sheet) for sheet in sheets}
        missing = []
        for spec in SHEETS.values():
            found = [by_key[k] for k in (_key(spec.name), _key(spec.zh)) if k in by_key]
            if len(found) > 1:
                issues.add(
                    path.name, None, None, f"both sheets {found[0]} and {found[1]} exist; keep one"
                )
            elif found:
                frames[spec.name] = (f"{path.name}, sheet {found[0]}", sheets[found[0]])
            elif spec.required:
                missing.append(f"{spec.name} ({spec.zh})")
        if missing:
            issues.add(
                path.name,
                None,
                None,
                f"missing required sheet(s) in workbook {path}: {', '.join(missing)}",
            )
    elif not path.exists():
        raise DataError.at(str(path), "no such folder or workbook")
    else:
        raise DataError.at(str(path), "expected a folder of CSV files or an .xlsx workbook")
    tables = {}
    for sheet, (label, frame) in frames.items():
        table = _table(frame, label, SHEETS[sheet], issues)
        if table is not None:
            tables[sheet] = table
    issues.raise_if_any()
    return tables, name


# ---------------------------------------------------------------------------
# Row reader: typed getters that record issues
# ---------------------------------------------------------------------------


def _listed_in(sheet: str) -> str:
    spec = SHEETS[sheet]
    return f"listed in {spec.name} ({spec.zh})"


class _Row:
    """One data row; every getter records an issue and returns a default on bad input."""

    def __init__(self, table: _Table, number: int, cells: dict[str, Any], issues: _Issues):
        self.table = table
        self.number = number
        self.cells = cells
        self.issues = issues
        self.ok = True

    def column(self, column: str) -> str:
        return _column_label(column, self.table.headers.get(column))

    def fail(self, column: str | None, message: str) -> None:
        self.ok = False
        label = self.column(column) if column else None
        self.issues.add(self.table.label, self.number, label, message)

    def has(self, column: str) -> bool:
        return not _is_blank(self.cells.get(column))

    def get(
        self, column: str, parse: Callable[[Any], T], default: T, *, required: bool = False
    ) -> T:
        """Parse a cell; blank gives ``default`` (or an issue when required)."""
        if not self.has(column):
            if required:
                self.fail(column, "expected a value, found an empty cell")
            return default
        try:
            return parse(self.cells[column])
        except ValueError as exc:
            self.fail(column, str(exc))
            return default

    def text(self, column: str, *, required: bool = False) -> str:
        return self.get(column, _text, "", required=required)

    def integer(
        self,
        column: str,
        default: int | None,
        lo: int | None = None,
        hi: int | None = None,
        *,
        required: bool = False,
    ) -> int | None:
        value = self.get(column, _parse_int, default, required=required)
        if self.has(column) and value is not None:
            self._check_range(column, value, lo, hi, "a whole number")
        return value

    def decimal(self, column: str, default: float, lo: float | None = None) -> float:
        value = self.get(column, _parse_number, default)
        if self.has(column):
            self._check_range(column, value, lo, None, "a number")
        return value

    def _check_range(
        self, column: str, value: float, lo: float | None, hi: float | None, what: str
    ) -> None:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            self.fail(column, f"expected {what} {bounds}, found {_found(self.cells[column])}")

    def enum(
        self, column: str, cls: type[E], default: E | None = None, *, required: bool = False
    ) -> E | None:
        return self.get(column, lambda v: parse_enum(cls, v), default, required=required)

    def enums(self, column: str, cls: type[E]) -> tuple[E, ...]:
        return self.get(
            column, lambda v: tuple(unique(parse_enum(cls, item) for item in parse_list(v))), ()
        )

    def date(
        self, column: str, *, required: bool = False, horizon: Horizon | None = None
    ) -> dt.date | None:
        value = self.get(column, parse_date, None, required=required)
        if value is not None and horizon is not None and not horizon.contains(value):
            self.fail(
                column,
                f"expected a date inside the horizon {horizon.start} .. "
                f"{horizon.end}, found {value}",
            )
        return value

    def dates(self, column: str) -> tuple[dt.date, ...]:
        return self.get(column, lambda v: tuple(parse_date(item) for item in parse_list(v)), ())

    def time(self, column: str, *, end: bool = False, required: bool = False) -> int | None:
        return self.get(column, lambda v: parse_time(v, end=end), None, required=required)

    def flag(self, column: str, default: bool = False) -> bool:
        return self.get(column, parse_bool, default)

    def items(self, column: str) -> tuple[str, ...]:
        return self.get(column, parse_list, ())

    def skills(self, column: str, known: Collection[str] | None) -> tuple[Skill, ...]:
        skills = self.get(column, parse_skills, ())
        if known is not None:
            self._check_known(
                column, [s.name for s in skills], known, f"a skill {_listed_in('skills')}"
            )
        return skills

    def ref(
        self, column: str, known: Collection[str], what: str, *, required: bool = False
    ) -> str | None:
        """An id that must be in ``known``; None when blank."""
        value = self.text(column, required=required)
        if value:
            self._check_known(column, [value], known, what)
        return value or None

    def refs(self, column: str, known: Collection[str], what: str) -> tuple[str, ...]:
        values = self.items(column)
        self._check_known(column, values, known, what)
        return values

    def _check_known(
        self, column: str, values: Collection[str], known: Collection[str], what: str
    ) -> None:
        for value in values:
            if value not in known:
                self.fail(column, f"expected {what}, found unknown {value!r}")


# ---------------------------------------------------------------------------
# Building the problem
# ---------------------------------------------------------------------------


class _Builder:
    """Turns the tables into domain objects, collecting every issue."""

    def __init__(self, tables: Mapping[str, _Table], name: str) -> None:
        self.tables = tables
        self.name = name
        self.issues = _Issues()
        self.horizon: Horizon | None = None
        self.skill_names: set[str] | None = None
        self.volunteer_ids: set[str] = set()
        self.household_ids: set[str] = set()
        self.need_ids: set[str] = set()
        self.department_names: set[str] = set()

    def rows(self, sheet: str) -> Iterator[_Row]:
        table = self.tables.get(sheet)
        if table is None:
            return
        for number, cells in table.rows:
            yield _Row(table, number, cells, self.issues)

    def build_all(self, sheet: str, make: Callable[[_Row], T | None]) -> list[T]:
        """Apply ``make`` to each row; keep the results of rows without issues.

        ``make`` reads every cell of the row before it builds anything, so all
        issues of the row are recorded; what it builds from a row with issues
        (possibly holding None placeholders) is dropped here.
        """
        built = []
        for row in self.rows(sheet):
            item = make(row)
            if row.ok and item is not None:
                built.append(item)
        return built

    def ids(self, sheet: str, column: str) -> set[str]:
        """Collect the ids of a sheet, reporting duplicates (both rows)."""
        first: dict[str, int] = {}
        for row in self.rows(sheet):
            value = _text(row.cells.get(column))
            if not value:
                continue
            if value in first:
                row.fail(
                    column,
                    f"expected a unique {column}, found {value!r} again "
                    f"(first on row {first[value]})",
                )
            else:
                first[value] = row.number
        return set(first)

    def build(self) -> Problem:
        self.horizon = self._horizon()
        self.department_names = self.ids("departments", "name")
        if "skills" in self.tables and self.tables["skills"].rows:
            # an empty skills sheet (as in the template) does not restrict skills
            self.skill_names = self.ids("skills", "name")
        self.volunteer_ids = self.ids("volunteers", "id")
        self.household_ids = self.ids("households", "id")
        self.need_ids = self.ids("needs", "id")

        departments = self.build_all("departments", self._department)
        skills = [row.text("name") for row in self.rows("skills")]
        volunteers = self.build_all("volunteers", self._volunteer)
        households = self.build_all("households", self._household)
        area_of = {h.id: h.area for h in households}
        needs = self.build_all("needs", lambda row: self._need(row, area_of))
        need_by_id = {n.id: n for n in needs}
        windows_and_blackouts = self.build_all("availability", self._availability)
        pairs = self.build_all("pairs", self._pair)
        pins = self._pins(need_by_id)
        history = self.build_all("history", self._history)
        travel = self._travel()
        self.issues.raise_if_any()
        assert self.horizon is not None  # a missing horizon row is an issue
        return Problem(
            horizon=self.horizon,
            volunteers=tuple(volunteers),
            needs=tuple(needs),
            households=tuple(households),
            availability=tuple(
                w for w in windows_and_blackouts if isinstance(w, AvailabilityWindow)
            ),
            blackouts=tuple(b for b in windows_and_blackouts if isinstance(b, Blackout)),
            pairs=tuple(pairs),
            pins=tuple(pins),
            history=tuple(history),
            departments=tuple(departments),
            skills=tuple(skills),
            travel=tuple(travel),
            name=self.name,
        )

    def _horizon(self) -> Horizon | None:
        rows = list(self.rows("horizon"))
        if not rows:
            table = self.tables.get("horizon")
            label = table.label if table else "horizon"
            self.issues.add(
                label,
                2,
                None,
                "expected one row with the start and end of the planning horizon, found no rows",
            )
            return None
        for extra in rows[1:]:
            extra.fail(
                None, f"expected exactly one row, found another besides row {rows[0].number}"
            )
        row = rows[0]
        start = row.date("start", required=True)
        end = row.date("end", required=True)
        extra_days = row.dates("extra_days")
        excluded_days = row.dates("excluded_days")
        festivals = row.get("festivals", _parse_festivals, ())
        if start is None or end is None:
            return None
        if end < start:
            row.fail("end", f"expected an end date on or after the start {start}, found {end}")
            return None
        if (end - start).days > MAX_HORIZON_DAYS:
            row.fail(
                "end",
                f"expected at most {MAX_HORIZON_DAYS} days after the start {start}, "
                f"found {end} ({(end - start).days} days)",
            )
            return None
        outside = [
            (column, day)
            for column, days in (
                ("extra_days", extra_days),
                ("excluded_days", excluded_days),
                ("festivals", [d for d, _ in festivals]),
            )
            for day in days
            if not start <= day <= end
        ]
        for column, day in outside:
            row.fail(column, f"expected dates inside the horizon {start} .. {end}, found {day}")
        if not row.ok:
            return None
        return build_horizon(start, end, extra_days, excluded_days, festivals)

    def _department(self, row: _Row) -> Department:
        return Department(
            row.text("name", required=True), row.enums("fit_categories", NeedCategory)
        )

    def _volunteer(self, row: _Row) -> Volunteer:
        volunteer = Volunteer(
            id=row.text("id", required=True),
            name=row.text("name", required=True),
            role=row.enum("role", Role, required=True),  # type: ignore[arg-type]
            membership=row.enum("membership", Membership, required=True),  # type: ignore[arg-type]
            department=row.ref(
                "department",
                self.department_names,
                f"a department {_listed_in('departments')}",
                required=True,
            )
            or "",
            skills=row.skills("skills", self.skill_names),
            languages=row.items("languages"),
            gender=row.enum("gender", Gender),
            max_shifts=row.integer("max_shifts", 2, lo=0),  # type: ignore[arg-type]
            max_minutes=round(row.decimal("max_hours", 8.0, lo=0) * 60),
            phone=row.text("phone"),
            home_area=row.text("home_area"),
            max_travel=row.integer("max_travel", None, lo=0),
        )
        if volunteer.max_travel is not None and not volunteer.home_area:
            # The limit is measured from home: without a home it would silently mean nothing.
            row.fail(
                "max_travel",
                f"expected a home_area (居住片区) to measure {volunteer.max_travel} travel "
                "minutes from, found an empty home_area",
            )
        return volunteer

    def _household(self, row: _Row) -> Household:
        return Household(
            id=row.text("id", required=True),
            address=row.text("address", required=True),
            category=row.enum("category", HouseholdCategory, required=True),  # type: ignore[arg-type]
            area=row.text("area"),
            languages=row.items("languages"),
            preferred_gender=row.enum("preferred_gender", Gender),
            notes=row.text("notes"),
        )

    def _timing(self, row: _Row) -> tuple[dt.date | None, int | None, int | None, int | None]:
        """Date, start, end and duration of a need."""
        date = row.date("date", horizon=self.horizon)
        start = row.time("start")
        end = row.time("end", end=True)
        duration = row.integer("duration_minutes", None, lo=0)
        if not row.has("date"):
            for column in ("start", "end"):
                if row.has(column):
                    row.fail(
                        column,
                        "expected no time for a need without a date (untimed), "
                        f"found {_found(row.cells[column])}",
                    )
            return None, None, None, 60 if duration is None else duration
        for column in ("start", "end"):
            if not row.has(column):
                row.fail(column, "expected a time for a need with a date, found an empty cell")
        if start is None or end is None:
            return date, start, end, duration
        if end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
            return date, start, end, duration
        window = end - start
        if duration is None:
            duration = window
        elif duration == 0:
            row.fail(
                "duration_minutes", "expected at least 1 minute for a need with a date, found 0"
            )
        elif duration > window:
            row.fail(
                "duration_minutes",
                f"expected at most the {window} minutes from {format_minutes(start)} to "
                f"{format_minutes(end)}, found {duration}",
            )
        return date, start, end, duration

    def _need(self, row: _Row, area_of: Mapping[str, str]) -> Need | None:
        category = row.enum("category", NeedCategory, required=True)
        household_id = row.ref(
            "household_id", self.household_ids, f"a household id {_listed_in('households')}"
        )
        date, start, end, duration = self._timing(row)
        known_departments = self.department_names
        departments_what = f"a department {_listed_in('departments')}"
        min_volunteers = row.integer("min_volunteers", 1, lo=1)
        max_volunteers = row.integer("max_volunteers", None, lo=1)
        if (
            min_volunteers is not None
            and max_volunteers is not None
            and max_volunteers < min_volunteers
        ):
            row.fail(
                "max_volunteers",
                f"expected at least min_volunteers {min_volunteers}, found {max_volunteers}",
            )
        priority = row.integer("priority", 3, lo=1, hi=5)
        need = dict(
            id=row.text("id", required=True),
            title=row.text("title", required=True),
            household_id=household_id,
            location=row.text("location"),
            area=row.text("area") or area_of.get(household_id or "", ""),
            skills=row.skills("skills", self.skill_names),
            departments=row.refs("departments", known_departments, departments_what),
            lead_required=row.flag("lead_required"),
            joint_departments=row.refs("joint_departments", known_departments, departments_what),
            required_gender=row.enum("required_gender", Gender),
            required_languages=row.items("required_languages"),
            must_cover=row.flag("must_cover"),
        )
        if None in (category, duration, min_volunteers, priority) or not row.ok:
            return None
        return Need(
            category=category,  # type: ignore[arg-type]
            duration=duration,  # type: ignore[arg-type]
            date=date,
            start=start,
            end=end,
            min_volunteers=min_volunteers,  # type: ignore[arg-type]
            max_volunteers=max_volunteers or min_volunteers,  # type: ignore[arg-type]
            priority=priority,  # type: ignore[arg-type]
            **need,
        )

    def _volunteer_ref(self, row: _Row) -> str:
        what = f"a volunteer id {_listed_in('volunteers')}"
        return row.ref("volunteer_id", self.volunteer_ids, what, required=True) or ""

    def _availability(self, row: _Row) -> AvailabilityWindow | Blackout | None:
        volunteer_id = self._volunteer_ref(row)
        kind = row.enum("kind", AvailabilityKind, AvailabilityKind.AVAILABLE)
        date = row.date("date", horizon=self.horizon)
        weekday = row.get("weekday", parse_weekday, None)
        if kind == AvailabilityKind.BLACKOUT:
            if row.has("weekday"):
                row.fail(
                    "weekday",
                    "expected no weekday for a blackout (it needs a date), "
                    f"found {_found(row.cells['weekday'])}",
                )
            elif not row.has("date"):
                row.fail("date", "expected a date for a blackout, found an empty cell")
            return Blackout(volunteer_id, date) if date else None
        if row.has("date") == row.has("weekday"):
            found = "both" if row.has("date") else "neither"
            row.fail("date", f"expected exactly one of date and weekday, found {found}")
        start = row.time("start", required=True)
        end = row.time("end", end=True, required=True)
        if start is None or end is None:
            return None
        if end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
        return AvailabilityWindow(volunteer_id, start, end, date=date, weekday=weekday)

    def _pair(self, row: _Row) -> Pair | None:
        volunteer_id = self._volunteer_ref(row)
        if row.has("need_id") == row.has("household_id"):
            found = "both" if row.has("need_id") else "neither"
            row.fail("need_id", f"expected exactly one of need_id and household_id, found {found}")
        need_id = row.ref("need_id", self.need_ids, f"a need id {_listed_in('needs')}")
        household_id = row.ref(
            "household_id", self.household_ids, f"a household id {_listed_in('households')}"
        )
        affinity = row.integer("affinity", 0)
        extra_minutes = row.integer("extra_minutes", 0, lo=0)
        return Pair(
            volunteer_id=volunteer_id,
            need_id=need_id,
            household_id=household_id,
            affinity=affinity or 0,
            forbidden=row.flag("forbidden"),
            extra_minutes=extra_minutes or 0,
        )

    def _pins(self, need_by_id: Mapping[str, Need]) -> list[Pin]:
        first: dict[tuple[str, str], int] = {}

        def make(row: _Row) -> Pin:
            volunteer_id = self._volunteer_ref(row)
            need_id = (
                row.ref("need_id", self.need_ids, f"a need id {_listed_in('needs')}", required=True)
                or ""
            )
            start = row.time("start")
            if (volunteer_id, need_id) in first:
                row.fail(
                    "need_id",
                    f"expected each volunteer and need pinned once, found "
                    f"{volunteer_id} on {need_id} again "
                    f"(first on row {first[(volunteer_id, need_id)]})",
                )
            first.setdefault((volunteer_id, need_id), row.number)
            need = need_by_id.get(need_id)
            if start is not None and need is not None:
                if not need.is_flexible:
                    row.fail(
                        "start",
                        f"expected no start: need {need_id} is not flexible "
                        f"(its time is fixed or it is untimed), found "
                        f"{format_minutes(start)}",
                    )
                elif not need.start <= start <= need.latest_start:  # type: ignore[operator]
                    row.fail(
                        "start",
                        f"expected a start from {format_minutes(need.start)} to "
                        f"{format_minutes(need.latest_start)} for need {need_id}, "
                        f"found {format_minutes(start)}",
                    )
            return Pin(volunteer_id, need_id, start)

        return self.build_all("pins", make)

    def _history(self, row: _Row) -> HistoryEntry | None:
        volunteer_id = self._volunteer_ref(row)
        date = row.date("date", required=True)
        hours = row.decimal("hours", 0.0, lo=0)
        entry = dict(
            need_id=row.text("need_id") or None,
            household_id=row.ref(
                "household_id", self.household_ids, f"a household id {_listed_in('households')}"
            ),
            category=row.enum("category", NeedCategory),
            attended=row.flag("attended", True),
        )
        if date is None:
            return None
        return HistoryEntry(volunteer_id, date, minutes=round(hours * 60), **entry)

    def _travel(self) -> list[Travel]:
        first: dict[tuple[str, str], int] = {}

        def make(row: _Row) -> Travel | None:
            origin = row.text("from", required=True)
            destination = row.text("to", required=True)
            minutes = row.integer("minutes", None, lo=0, required=True)
            if (origin, destination) in first:
                row.fail(
                    "to",
                    f"expected each from/to pair once, found {origin} -> "
                    f"{destination} again (first on row {first[(origin, destination)]})",
                )
            first.setdefault((origin, destination), row.number)
            return Travel(origin, destination, minutes) if minutes is not None else None

        return self.build_all("travel", make)


def _parse_festivals(value: Any) -> tuple[tuple[dt.date, str], ...]:
    """Parse ``date:name`` items (``2026-09-25:中秋节``, full-width colon too)."""
    festivals = []
    for item in parse_list(value):
        day, _, name = re.sub(r"\s*[:：]\s*", ":", item, count=1).partition(":")
        if not name:
            raise ValueError(f"expected date:name such as 2026-09-25:中秋节, found {item!r}")
        festivals.append((parse_date(day), name))
    return tuple(festivals)


def load_dataset(path: str | Path) -> Problem:
    """Read and validate a dataset.

    Parameters
    ----------
    path
        A folder of CSV files (``volunteers.csv`` or ``志愿者.csv``, ...) or an
        ``.xlsx`` workbook with one sheet per kind (English or Chinese names).

    Returns
    -------
    Problem
        Complete and validated; ``name`` is the folder name or workbook stem.

    Raises
    ------
    DataError
        Listing every problem found (up to :data:`MAX_ISSUES`) by file, row
        and column; structural problems (missing file or column, undecodable
        text) are raised before the rows are checked.
    """
    tables, name = _read_dataset_tables(Path(path))
    return _Builder(tables, name).build()


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A value as written: text, a whole number, or None for an empty cell."""
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(_text(_cell(item)) for item in value)
    if isinstance(value, Skill):
        return value.name if value.level == 1 else f"{value.name}:{value.level}"
    return value


def _hours(minutes: int) -> int | float:
    """Hours to write for ``minutes``; two decimals suffice to read back the same minutes."""
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def _horizon_record(horizon: Horizon) -> dict[str, Any]:
    """The horizon row that rebuilds ``horizon`` with :func:`build_horizon`."""
    base = set(build_horizon(horizon.start, horizon.end).service_days)
    festival_days = {day for day, _ in horizon.festivals}
    service = set(horizon.service_days)
    return {
        "start": horizon.start,
        "end": horizon.end,
        "extra_days": tuple(sorted(service - base - festival_days)),
        "excluded_days": tuple(sorted((base | festival_days) - service)),
        "festivals": tuple(f"{day.isoformat()}:{name}" for day, name in horizon.festivals),
    }


def _dataset_records(problem: Problem) -> dict[str, list[dict[str, Any]]]:
    """Rows of every sheet to write, keyed by canonical column."""

    def time(minutes: int | None) -> str | None:
        return format_minutes(minutes) or None

    records: dict[str, list[dict[str, Any]]] = {
        "horizon": [_horizon_record(problem.horizon)],
        "departments": [
            {"name": d.name, "fit_categories": d.fit_categories} for d in problem.departments
        ],
        "skills": [{"name": s} for s in problem.skills],
        "volunteers": [
            {
                **{f.name: getattr(v, f.name) for f in dataclasses.fields(v)},
                "max_hours": _hours(v.max_minutes),
            }
            for v in problem.volunteers
        ],
        "availability": [
            {
                "volunteer_id": w.volunteer_id,
                "date": w.date,
                "weekday": w.weekday,
                "start": time(w.start),
                "end": time(w.end),
            }
            for w in problem.availability
        ]
        + [
            {"volunteer_id": b.volunteer_id, "date": b.date, "kind": AvailabilityKind.BLACKOUT}
            for b in problem.blackouts
        ],
        "households": [dataclasses.asdict(h) for h in problem.households],
        "needs": [
            {
                **{f.name: getattr(n, f.name) for f in dataclasses.fields(n)},
                "start": time(n.start),
                "end": time(n.end),
                "duration_minutes": n.duration,
            }
            for n in problem.needs
        ],
        "pairs": [dataclasses.asdict(p) for p in problem.pairs],
        "pins": [
            {"volunteer_id": p.volunteer_id, "need_id": p.need_id, "start": time(p.start)}
            for p in problem.pins
        ],
        "history": [
            {
                **{f.name: getattr(h, f.name) for f in dataclasses.fields(h)},
                "hours": _hours(h.minutes),
            }
            for h in problem.history
        ],
        "travel": [
            {"from": t.origin, "to": t.destination, "minutes": t.minutes} for t in problem.travel
        ],
    }
    return {sheet: rows for sheet, rows in records.items() if rows or SHEETS[sheet].required}


def _frame(sheet: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = list(SHEETS[sheet].columns)
    data = [[_cell(row.get(column)) for column in columns] for row in rows]
    return pd.DataFrame(data, columns=columns, dtype=object)


def _default_mode(base: int) -> int:
    """``base`` (0o666 files, 0o777 folders) under the process umask.

    ``tempfile`` creates private files (0o600); what we rename into place should
    get the permissions a plain ``open`` would have given.
    """
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def _atomic_file(target: Path, write: Callable[[Path], None]) -> None:
    """Write ``target`` through a temporary file next to it, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, _default_mode(0o666))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _atomic_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Write CSV files into ``target`` through a temporary folder next to it.

    A new folder appears at once (one rename).  In an existing folder the files
    are renamed in one by one after all were written, and other dataset files
    (sheets not written, Chinese-named copies) are removed so they cannot mix
    with the new data; files that are not dataset sheets are left alone.
    """
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (temp / name).write_bytes(data)
            os.chmod(temp / name, _default_mode(0o666))
        if not target.exists():
            os.chmod(temp, _default_mode(0o777))
            os.replace(temp, target)
            return
        written = {name.casefold() for name in files}
        stale = {f"{spec.name}.csv" for spec in SHEETS.values()} | {
            f"{spec.zh}.csv" for spec in SHEETS.values()
        }
        for name in files:
            os.replace(temp / name, target / name)
        for path in target.iterdir():
            if path.name.casefold() in stale and path.name.casefold() not in written:
                path.unlink()
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def write_dataset(problem: Problem, path: str | Path) -> None:
    """Write a problem as a dataset that :func:`load_dataset` reads back.

    Parameters
    ----------
    problem
        The problem to write.  Optional sheets are written only when non-empty.
    path
        A ``.xlsx`` path (one sheet per kind, English sheet names and headers)
        or a folder (UTF-8 CSV files with BOM and English headers, which Excel
        opens with Chinese intact).  Written atomically through a temporary
        file or folder next to the target.

    Notes
    -----
    The problem read back equals ``problem`` except ``name``, which comes from
    the path, and a need's empty ``area`` when its household has one (the
    loader fills it in).
    """
    target = Path(path)
    frames = {sheet: _frame(sheet, rows) for sheet, rows in _dataset_records(problem).items()}
    if target.suffix.casefold() == ".xlsx":

        def write(temp: Path) -> None:
            from openpyxl import Workbook
            from openpyxl.styles import Font

            book = Workbook()
            book.remove(book.active)
            for sheet, frame in frames.items():
                worksheet = book.create_sheet(sheet)
                worksheet.append(list(frame.columns))
                for values in frame.itertuples(index=False):
                    worksheet.append(list(values))
                for cell in worksheet[1]:
                    cell.font = Font(bold=True)
                worksheet.freeze_panes = "A2"
                _autofit(worksheet)
            book.save(temp)

        _atomic_file(target, write)
    else:
        files = {
            f"{sheet}.csv": frame.map(lambda v: "" if v is None else _text(v))
            .to_csv(index=False, lineterminator="\r\n")
            .encode("utf-8-sig")
            for sheet, frame in frames.items()
        }
        _atomic_folder(target, files)


def _autofit(sheet: Any) -> None:
    """Widen the columns of an openpyxl worksheet to their contents (roughly)."""
    for column in sheet.columns:
        width = max((len(_text(cell.value)) for cell in column), default=0)
        wide = max(
            (sum(1 for ch in _text(cell.value) if ord(ch) > 0x2E80) for cell in column), default=0
        )
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + wide + 2)


# ---------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------


def write_template(path: str | Path) -> None:
    """Write an empty dataset workbook for coordinators to fill in.

    Every sheet carries its Chinese name and Chinese headers in row 1; a first
    sheet ``说明`` (ignored by the loader) lists each column with its English
    name, whether it is required and what it means.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (atomically).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    def fill(temp: Path) -> None:
        book = Workbook()
        readme = book.active
        readme.title = "说明"
        readme.append(["表 (sheet)", "列 (column)", "中文表头", "必填", "说明"])
        readme.append(
            [
                "",
                "",
                "",
                "",
                "每个表第 1 行为表头（中文或英文均可），从第 2 行起每行一条；"
                "列表用 ; 或 、 分隔；日期如 2026-10-24，时间如 09:00；本表不会被读取。",
            ]
        )
        bold = Font(bold=True)
        required_fill = PatternFill("solid", fgColor="FFF2CC")
        for spec in SHEETS.values():
            sheet = book.create_sheet(spec.zh)
            sheet.append([info.zh[0] for info in spec.columns.values()])
            for cell, info in zip(sheet[1], spec.columns.values(), strict=True):
                cell.font = bold
                if info.required:
                    cell.fill = required_fill
            sheet.freeze_panes = "A2"
            _autofit(sheet)
            for letter_cell, column in zip(sheet[1], spec.columns, strict=True):
                if column == "id" or column.endswith("_id") or column == "phone":
                    # text, so Excel keeps 001 and long phone numbers as typed
                    sheet.column_dimensions[letter_cell.column_letter].number_format = "@"
            sheet_note = f"{spec.zh} ({spec.name})" + ("" if spec.required else "，可选")
            for column, info in spec.columns.items():
                readme.append(
                    [
                        sheet_note,
                        column,
                        " / ".join(info.zh),
                        "是" if info.required else "",
                        info.note,
                    ]
                )
        for cell in readme[1]:
            cell.font = bold
        readme.freeze_panes = "A2"
        _autofit(readme)
        book.save(temp)

    _atomic_file(Path(path), fill)


# ---------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------


def read_roster(path: str | Path) -> list[Assignment]:
    """Read a roster written by ``matcher solve``.

    Parameters
    ----------
    path
        ``roster.csv`` (English or Chinese headers, UTF-8 or GBK) or
        ``roster.xlsx`` (its sheet ``roster``/``排班表`` or else the first).

    Returns
    -------
    list of Assignment
        In file order.  Ids are not checked against a problem here.

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns and bad cells.
    """
    path = Path(path)
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise DataError.at(str(path), "no such file")
        sheets = _read_workbook(path)
        if not sheets:
            raise DataError.at(path.name, "the workbook has no sheets")
        names = [str(name) for name in sheets]
        chosen = next((n for n in names if _key(n) in (_ROSTER.name, _ROSTER.zh, "排班")), names[0])
        label, frame = f"{path.name}, sheet {chosen}", sheets[chosen]
    else:
        if not path.is_file():
            raise DataError.at(str(path), "no such file")
        label, frame = path.name, _read_csv_frame(path)
    issues = _Issues()
    table = _table(frame, label, _ROSTER, issues)
    issues.raise_if_any()
    assert table is not None
    assignments = []
    for number, cells in table.rows:
        row = _Row(table, number, cells, issues)
        date = row.date("date")
        start = row.time("start")
        end = row.time("end", end=True)
        timed = [row.has(c) for c in ("date", "start", "end")]
        if any(timed) and not all(timed):
            row.fail(
                "date",
                "expected date, start and end all given (timed need) or all empty (untimed need)",
            )
        elif start is not None and end is not None and end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
        assignment = Assignment(
            need_id=row.text("need_id", required=True),
            volunteer_id=row.text("volunteer_id", required=True),
            date=date,
            start=start,
            end=end,
            role=row.enum("role", AssignmentRole, AssignmentRole.MEMBER) or AssignmentRole.MEMBER,
        )
        if row.ok:
            assignments.append(assignment)
    issues.raise_if_any()
    return assignments
