"""The roster as people read it: service days, one team per need, personal data shown or not.

The roster workbook (:mod:`matcher.io.roster_book`) and the group-chat texts
(:mod:`matcher.io.chat`) both print "who goes where, when, with whom"; this
module decides once how a day is named (``9月25日 中秋节``), how a need's
time and place read, who leads a team and in which order teams come (by
time, then place).

Personal data (volunteers' phones, households' addresses) passes through a
:class:`PersonalData` policy: shown as it is (coordinators, ``matcher
solve``), masked by the caller's functions (the service masks for viewers
with ``api/masking.py``; the rule lives there, the library never imports the
service) or, with no masks given, left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from matcher.domain import (
    Assignment,
    AssignmentRole,
    Need,
    NeedCategory,
    Problem,
    Role,
    Volunteer,
    format_minutes,
)
from matcher.io.format import ENUM_WORDS

__all__ = [
    "HIDDEN",
    "SHOWN",
    "Member",
    "PersonalData",
    "Team",
    "category_zh",
    "day_label",
    "headcount",
    "personal_data",
    "role_zh",
    "span_text",
    "teams_by_day",
    "untimed_label",
]

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclasses.dataclass(frozen=True, slots=True)
class PersonalData:
    """How phones and addresses appear in an output for people.

    Each function takes the stored text and returns what is printed ("" to
    leave it out).
    """

    phone: Callable[[str], str]
    address: Callable[[str], str]


def _same(text: str) -> str:
    return text


def _nothing(text: str) -> str:
    return ""


SHOWN = PersonalData(phone=_same, address=_same)
"""Phones and addresses as stored: for coordinators."""
HIDDEN = PersonalData(phone=_nothing, address=_nothing)
"""Phones and addresses left out: when no masks are given for ``personal=False``."""


def personal_data(personal: bool, masks: PersonalData | None = None) -> PersonalData:
    """The policy for an output: everything when ``personal``, else ``masks`` or nothing."""
    if personal:
        return SHOWN
    return masks if masks is not None else HIDDEN


def category_zh(category: NeedCategory | str) -> str:
    """The Chinese name of a need category (``haircut`` -> ``义务理发``)."""
    value = NeedCategory(category)
    words = ENUM_WORDS[NeedCategory].get(value, ())
    return words[0] if words else str(value)


def role_zh(role: Role) -> str:
    """The Chinese name of a volunteer's role at the college (``teacher`` -> ``教师``)."""
    words = ENUM_WORDS[Role].get(role, ())
    return words[0] if words else str(role)


def _date_zh(problem: Problem, day: dt.date) -> str:
    """``9月19日``; with the year when the horizon spans two (so no two days read alike)."""
    year = f"{day.year}年" if problem.horizon.start.year != problem.horizon.end.year else ""
    return f"{year}{day.month}月{day.day}日"


def day_label(problem: Problem, day: dt.date) -> str:
    """``9月19日 周六``, or the festival's name for a festival day: ``9月25日 中秋节``."""
    festival = problem.horizon.festival_name(day)
    return f"{_date_zh(problem, day)} {festival or WEEKDAYS_ZH[day.weekday()]}"


def untimed_label(problem: Problem) -> str:
    """The label of needs done at any time in the horizon: ``9月19日至9月27日 时间自定``."""
    start, end = problem.horizon.start, problem.horizon.end
    return f"{_date_zh(problem, start)}至{_date_zh(problem, end)} 时间自定"


def headcount(least: int, most: int) -> str:
    """How many a need wants: ``2`` or ``2-3``."""
    return f"{least}" if least == most else f"{least}-{most}"


def span_text(start: int | None, end: int | None) -> str:
    """``09:00-11:30``, or ``时间自定`` for an untimed need."""
    if start is None or end is None:
        return "时间自定"
    return f"{format_minutes(start)}-{format_minutes(end)}"


@dataclasses.dataclass(frozen=True, slots=True)
class Member:
    """One volunteer on a team, personal data already as the policy shows it."""

    volunteer: Volunteer
    role: AssignmentRole
    start: int | None
    end: int | None
    phone: str

    @property
    def role_zh(self) -> str:
        """带队 or 队员."""
        return "带队" if self.role == AssignmentRole.LEAD else "队员"


@dataclasses.dataclass(frozen=True, slots=True)
class Team:
    """A need with the volunteers on it (none when it is unstaffed).

    ``start``/``end`` are the team's time: the assignments' (the solver picks
    the start of a flexible need), else the need's window.  ``place`` is where
    to go (location, else the household's or the need's area); ``address`` and
    ``contact`` are the household's address and phone as the policy shows them.
    """

    need: Need
    date: dt.date | None
    start: int | None
    end: int | None
    place: str
    address: str
    members: tuple[Member, ...]
    contact: str = ""

    @property
    def leads(self) -> tuple[Member, ...]:
        """The team's leads (usually one)."""
        return tuple(m for m in self.members if m.role == AssignmentRole.LEAD)

    @property
    def others(self) -> tuple[Member, ...]:
        """Members who do not lead."""
        return tuple(m for m in self.members if m.role != AssignmentRole.LEAD)

    @property
    def time(self) -> str:
        """``09:00-11:30`` or ``时间自定``."""
        return span_text(self.start, self.end)

    @property
    def staffed(self) -> bool:
        """True when the team has at least the need's minimum."""
        return len(self.members) >= self.need.min_volunteers


def _team(
    problem: Problem, need: Need, assigned: Sequence[Assignment], shown: PersonalData
) -> Team:
    members = tuple(
        Member(
            volunteer=(volunteer := problem.volunteer(a.volunteer_id)),
            role=a.role,
            start=a.start,
            end=a.end,
            phone=shown.phone(volunteer.phone) if volunteer.phone else "",
        )
        # leads first, then by id so the order is the same on every run
        for a in sorted(assigned, key=lambda a: (a.role != AssignmentRole.LEAD, a.volunteer_id))
    )
    starts = [a.start for a in assigned if a.start is not None]
    ends = [a.end for a in assigned if a.end is not None]
    household = problem.household_by_id.get(need.household_id) if need.household_id else None
    return Team(
        need=need,
        date=need.date,
        start=min(starts) if starts else need.start,
        end=max(ends) if ends else need.end,
        place=need.location or problem.need_area(need),
        address=shown.address(household.address) if household and household.address else "",
        members=members,
        contact=shown.phone(household.phone) if household and household.phone else "",
    )


def teams_by_day(
    problem: Problem, assignments: Iterable[Assignment], shown: PersonalData = SHOWN
) -> dict[dt.date | None, list[Team]]:
    """Every need of the problem as a team, by date (``None``: untimed needs), dates in order.

    Within a day teams come by start time, then place, then need id; untimed
    teams by place, then need id.  Unstaffed needs are teams without members.
    """
    assigned: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        assigned[a.need_id].append(a)
    days: dict[dt.date | None, list[Team]] = defaultdict(list)
    for need in problem.needs:
        days[need.date].append(_team(problem, need, assigned[need.id], shown))
    ordered = sorted(days, key=lambda day: (day is None, day or dt.date.min))
    return {
        day: sorted(days[day], key=lambda t: (t.start or 0, t.place, t.need.id)) for day in ordered
    }
