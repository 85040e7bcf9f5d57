"""Chinese spreadsheet cells as values: dates, times, weekdays, yes/no, lists, enumerations.

The public parsers raise :class:`ValueError` with an "expected ..., found ..."
message; the loader turns it into a :class:`~matcher.errors.DataIssue` with
file, row and column.  They accept what coordinators type in Excel (``2026年10月24日``,
``下午3点``, ``周六``, ``是``, ``、``-separated lists) as well as real Excel
date and time cells.

At about 600 lines the module is long on purpose: it is the one place that
reads every kind of cell a coordinator types (the loader, the roster reader
and the service's request bodies all call it, so they agree), and each
parser in it is short.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from enum import StrEnum
from typing import Any, TypeVar

import pandas as pd

from matcher.domain import (
    Gender,
    HouseholdCategory,
    Membership,
    NeedCategory,
    Role,
    Skill,
    unique,
)
from matcher.i18n import _, language
from matcher.io.format import ENUM_WORDS

__all__ = [
    "NO_WORDS",
    "NUMBER_LIMIT",
    "WHOLE_DAY_WORDS",
    "WHOLE_SERVICE_DAY",
    "YES_WORDS",
    "DateSpan",
    "cell_text",
    "found_text",
    "header_key",
    "is_blank",
    "parse_bool",
    "parse_category",
    "parse_date",
    "parse_enum",
    "parse_festivals",
    "parse_gender",
    "parse_household_category",
    "parse_list",
    "parse_membership",
    "parse_number",
    "parse_role",
    "parse_skills",
    "parse_time",
    "parse_time_or_range",
    "parse_time_range",
    "parse_time_ranges",
    "parse_weekday",
    "parse_weekdays",
    "parse_whole_number",
]

E = TypeVar("E", bound=StrEnum)

DateSpan = tuple[dt.date, dt.date]
"""First and last date of a planning horizon, as a date without a year needs them."""


def header_key(text: str) -> str:
    """Normalise a header or an enumeration word for lookup."""
    return re.sub(r"[\s_-]+", "_", text.strip().casefold()).strip("_")


_ENUM_LOOKUP: dict[type[StrEnum], dict[str, StrEnum]] = {
    cls: {
        header_key(word): member
        for member, words in table.items()
        for word in (member.value, *words)
    }
    for cls, table in ENUM_WORDS.items()
}


def _accepted(cls: type[StrEnum]) -> str:
    return ", ".join(
        f"{member.value} ({'/'.join(words)})" for member, words in ENUM_WORDS[cls].items()
    )


def is_blank(value: Any) -> bool:
    """Whether a cell is empty: None, NaN/NaT or only spaces."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str:
    """A cell as text: integral numbers without ``.0``, blanks as ``""``."""
    if is_blank(value):
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


def found_text(value: Any) -> str:
    """The "found ..." part of a message: the cell quoted, or "an empty cell".

    Quoted as Python would in English ('二'), in corner brackets in Chinese
    (「二」), the quotation marks a Chinese reader expects.
    """
    if is_blank(value):
        return _("an empty cell")
    text = cell_text(value)
    return f"「{text}」" if language() == "zh" else repr(text)


_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]0{1,2}:00(?::00)?)?"
)
_MONTH_DAY_RE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")


def _date_without_year(month: int, day: int, value: Any, within: DateSpan | None) -> dt.date:
    """The date ``month``/``day`` in the year of the planning horizon ``within``.

    A horizon inside one year gives its year (the rules then check the date
    against the horizon, as any other date).  A horizon across a new year
    gives the one candidate inside it; none or two inside is an issue naming
    both, since only the coordinator knows which she meant.
    """
    if within is None:
        raise ValueError(
            _(
                "expected a date with its year such as 2026-10-24 (a date without a year "
                "takes it from the planning horizon), found {found}"
            ).format(found=found_text(value))
        )
    first, last = within
    candidates = []
    for year in sorted({first.year, last.year}):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue  # 2月29日 exists in leap years only
    if not candidates:
        raise ValueError(
            _("expected a date such as 10月24日, found {found}").format(found=found_text(value))
        )
    if len(candidates) == 1:
        return candidates[0]
    inside = [candidate for candidate in candidates if first <= candidate <= last]
    if len(inside) == 1:
        return inside[0]
    raise ValueError(
        _(
            "expected a date inside the planning horizon {first} to {last}; {found} without "
            "a year could be {one} or {other}: write the year"
        ).format(
            first=first.isoformat(),
            last=last.isoformat(),
            found=found_text(value),
            one=candidates[0].isoformat(),
            other=candidates[1].isoformat(),
        )
    )


def parse_date(value: Any, *, within: DateSpan | None = None) -> dt.date:
    """Parse a date cell.

    Parameters
    ----------
    value
        ``2026-10-24``, ``2026/10/24``, ``2026.10.24``, ``2026年10月24日``
        (or ``24号``), ``2026-10-24 00:00:00``, a date/datetime object (an
        Excel date cell), or ``10月24日`` without a year when ``within`` is given.
    within
        First and last date of the planning horizon, which give a date written
        without a year its year: the horizon's, or across a new year the one
        that puts the date inside the horizon.  Without it such a date is refused.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message; for a date without a year
        that fits the horizon in neither or both of its years, naming both.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if match := _DATE_RE.fullmatch(text):
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    elif match := _MONTH_DAY_RE.fullmatch(text):
        month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return _date_without_year(month, day, value, within)
    raise ValueError(
        _("expected a date such as 2026-10-24, found {found}").format(found=found_text(value))
    )


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
    text = cell_text(value)
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
        # 中午1点 is 13:00: noon spans about 11 to 14 o'clock
        if (part in ("下午", "晚上") and hour < 12) or (part == "中午" and hour < 3):
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
            _("expected a time from 00:00 to {latest} such as 09:00, found {found}").format(
                latest=latest, found=found_text(value)
            )
        )
    return minutes


WHOLE_SERVICE_DAY: tuple[int, int] = (8 * 60, 18 * 60)
"""``全天`` in a start cell: the whole service day, 08:00 to 18:00 (minutes after midnight)."""

WHOLE_DAY_WORDS: tuple[str, ...] = ("全天", "整天")
"""Words of a start cell that mean :data:`WHOLE_SERVICE_DAY`."""

# One separator between two times: hyphens and dashes, tildes (～ is what a
# Chinese IME types for ~), 至 and 到.
_RANGE_SPLIT = re.compile(r"\s*(?:-|－|—|–|~|～|〜|至|到)\s*")
_PERIOD_RE = re.compile(r"上午|早上|中午|下午|晚上")


def parse_time_range(value: Any) -> tuple[int, int]:
    """Parse a start and an end time written in one cell.

    Parameters
    ----------
    value
        Two times joined by ``-``, ``~``, ``～``, ``至`` or ``到`` (``14:00-16:00``,
        ``14:00～16:00``, ``14:00至16:00``); a part of the day written before
        the first time holds for the second too (``下午2点-4点`` is 14:00 to
        16:00).  ``全天`` is :data:`WHOLE_SERVICE_DAY`.

    Returns
    -------
    tuple of int
        Start and end in minutes after midnight (the end may be 24:00); whether
        the end comes after the start is a rule of the item, checked later.

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    text = cell_text(value)
    if text in WHOLE_DAY_WORDS:
        return WHOLE_SERVICE_DAY
    parts = _RANGE_SPLIT.split(text)
    if len(parts) == 2 and all(parts):
        first, second = parts
        period = _PERIOD_RE.match(first)
        if period and not _PERIOD_RE.match(second):
            second = period.group() + second
        start, end = _clock_minutes(first), _clock_minutes(second)
        if start is not None and end is not None and 0 <= start < 24 * 60 and 0 <= end <= 24 * 60:
            return start, end
    raise ValueError(
        _("expected a time range such as 14:00-16:00 (or 全天), found {found}").format(
            found=found_text(value)
        )
    )


def parse_time_or_range(value: Any) -> tuple[int, int | None]:
    """Parse a start cell that may hold the end too (when the end cell is empty).

    Returns
    -------
    tuple
        ``(start, None)`` for one time (:func:`parse_time`), ``(start, end)``
        for a range (:func:`parse_time_range`).

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message naming both forms.
    """
    try:
        return parse_time(value), None
    except ValueError:
        pass
    try:
        return parse_time_range(value)
    except ValueError:
        raise ValueError(
            _(
                "expected a time from 00:00 to 23:59 such as 09:00, or a range such as "
                "14:00-16:00 or 全天, found {found}"
            ).format(found=found_text(value))
        ) from None


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
    text = cell_text(value).casefold().rstrip(".")
    if text in {"1", "2", "3", "4", "5", "6", "7"}:
        return int(text)
    if text in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[text]
    if match := _CHINESE_WEEKDAY_RE.fullmatch(text):
        return _CHINESE_DAYS[match.group(1)]
    raise ValueError(
        _("expected a weekday 1-7, 周一..周日 or Mon..Sun, found {found}").format(
            found=found_text(value)
        )
    )


def parse_weekdays(value: Any) -> tuple[int, ...]:
    """Parse a list of weekdays (``周六;周日``, ``6、7``) into 1 .. 7, each once, in order."""
    return tuple(dict.fromkeys(parse_weekday(item) for item in parse_list(value)))


def parse_time_ranges(value: Any) -> tuple[tuple[int, int], ...]:
    """Parse a list of time ranges (``09:00-11:30;14:30-17:00``), each once, in order."""
    return tuple(dict.fromkeys(parse_time_range(item) for item in parse_list(value)))


YES_WORDS: tuple[str, ...] = ("yes", "true", "1", "y", "是", "需要", "要", "有", "√", "✓", "✔")
"""Words of a yes/no cell that mean yes (case does not matter)."""

NO_WORDS: tuple[str, ...] = ("no", "false", "0", "n", "否", "不需要", "不要", "无", "×", "✗", "✘")
"""Words of a yes/no cell that mean no (case does not matter); an empty cell is no too."""

_TRUE = frozenset(YES_WORDS)
_FALSE = frozenset({*NO_WORDS, ""})


def parse_bool(value: Any) -> bool:
    """Parse a yes/no cell (empty means no).

    Parameters
    ----------
    value
        A word of :data:`YES_WORDS` or :data:`NO_WORDS` (``yes/no``,
        ``true/false``, ``1/0``, ``y/n``, ``是/否``, ``需要/不需要``, ``要/不要``,
        ``有/无``, ``√/×``, ``✓/✗``) or a boolean.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        With an "expected ..., found ..." message.
    """
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        _("expected yes/no (是/否, 需要/不需要, 1/0, √/×), found {found}").format(
            found=found_text(value)
        )
    )


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
    return unique(item.strip() for item in _LIST_SPLIT.split(cell_text(value)))


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
                _("expected a skill with a level 1-3 such as 家电维修:3, found {item!r}").format(
                    item=item
                )
            )
        if not 1 <= level <= 3:
            raise ValueError(
                _("expected a skill level from 1 to 3, found {item!r}").format(item=item)
            )
        if name in skills and skills[name].level != level:
            raise ValueError(
                _("expected each skill once, found {skill} with levels {one} and {other}").format(
                    skill=name, one=skills[name].level, other=level
                )
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
    member = _ENUM_LOOKUP[cls].get(header_key(cell_text(value)))
    if member is None:
        raise ValueError(
            _("expected one of {accepted}, found {found}").format(
                accepted=_accepted(cls), found=found_text(value)
            )
        )
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


def _number_too_large(value: Any) -> str:
    return _("expected a number up to {limit:,}, found {found}").format(
        limit=NUMBER_LIMIT, found=found_text(value)
    )


def parse_whole_number(value: Any) -> int:
    """Parse a whole number (``3``, ``3.0``) up to :data:`NUMBER_LIMIT` in magnitude."""
    text = cell_text(value)
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not number.is_integer():
        raise ValueError(
            _("expected a whole number, found {found}").format(found=found_text(value))
        )
    if abs(number) > NUMBER_LIMIT:
        raise ValueError(_number_too_large(value))
    return int(number)


def parse_number(value: Any) -> float:
    """Parse a finite number (decimals allowed) up to :data:`NUMBER_LIMIT` in magnitude."""
    try:
        number = float(cell_text(value))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(_("expected a number, found {found}").format(found=found_text(value)))
    if abs(number) > NUMBER_LIMIT:
        raise ValueError(_number_too_large(value))
    return number


def parse_festivals(
    value: Any, *, within: DateSpan | None = None
) -> tuple[tuple[dt.date, str], ...]:
    """Parse ``date:name`` items (``2026-09-25:中秋节``, full-width colon too).

    ``within`` is the planning horizon, for dates without a year (:func:`parse_date`).
    """
    festivals = []
    for item in parse_list(value):
        day, _colon, name = re.sub(r"\s*[:：]\s*", ":", item, count=1).partition(":")
        if not name:
            raise ValueError(
                _("expected date:name such as 2026-09-25:中秋节, found {item!r}").format(item=item)
            )
        festivals.append((parse_date(day, within=within), name))
    return tuple(festivals)
