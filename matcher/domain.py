"""Immutable domain objects of the volunteer-to-need matcher.

Everything the solver, the checker and the explanations read is a frozen
dataclass defined here.  Times of day are minutes after midnight (``540`` is
09:00); durations and budgets are minutes.  A :class:`Problem` is validated by
:mod:`matcher.io` (or by whoever builds it) and never mutated: a what-if run
builds a new one with :meth:`Problem.replace`.

Over 520 lines on purpose: the domain's vocabulary is one module that every
other one imports, so a reader finds every object and its invariants here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from typing import Any


def _require(item: object, field: str, ok: bool, expected: str) -> None:
    """Refuse a value no reader or API schema lets through: a bug, not bad input."""
    if not ok:
        raise ValueError(
            f"{type(item).__name__}.{field}: expected {expected}, found {getattr(item, field)!r}"
        )


class Role(StrEnum):
    """What a volunteer is at the college or in the community."""

    TEACHER = "teacher"
    STUDENT = "student"
    STAFF = "staff"
    RESIDENT = "resident"


class Membership(StrEnum):
    """Political membership type (政治面貌), as the party branch records it."""

    PARTY = "party"  # 中共党员
    PROBATIONARY = "probationary"  # 预备党员
    ACTIVIST = "activist"  # 入党积极分子
    LEAGUE = "league"  # 共青团员
    NONE = "none"  # 群众

    @property
    def is_party(self) -> bool:
        """True for full and probationary party members."""
        return self in (Membership.PARTY, Membership.PROBATIONARY)


class Gender(StrEnum):
    """Gender as recorded; used only for needs that ask for it."""

    MALE = "male"
    FEMALE = "female"


class HouseholdCategory(StrEnum):
    """Why a household gets recurring support."""

    ELDERLY_ALONE = "elderly-alone"  # 独居老人
    FAMILY_IN_DIFFICULTY = "family-in-difficulty"  # 困难家庭
    DISABLED = "disabled"  # 残疾人家庭
    LEFT_BEHIND_CHILD = "left-behind-child"  # 留守儿童
    OTHER = "other"  # 其他


class Support(StrEnum):
    """Whether a household gets one-to-one support (点对点帮扶): a steady volunteer and a backup."""

    NONE = "none"  # 无：只有集体服务
    ONE_TO_ONE = "one-to-one"  # 点对点帮扶


class VisitFrequency(StrEnum):
    """How often a household with one-to-one support is visited."""

    WEEKLY = "weekly"  # 每周
    FORTNIGHTLY = "fortnightly"  # 隔周
    DATES = "dates"  # 按日期：only on the household's ``visit_dates``


class NeedCategory(StrEnum):
    """Kind of service a need asks for."""

    REPAIR_APPLIANCE = "repair-appliance"  # 家电维修
    REPAIR_VEHICLE = "repair-vehicle"  # 车辆维修
    ELDERLY_CARE = "elderly-care"  # 关爱老人
    HAIRCUT = "haircut"  # 义务理发
    TUTORING = "tutoring"  # 四点半课堂 / 辅导
    CLEAN_UP = "clean-up"  # 环境清扫
    PUBLICITY = "publicity"  # 宣传
    CULTURE = "culture"  # 文化 / 文艺 / 党史
    MICRO_WISH = "micro-wish"  # 微心愿
    OTHER = "other"  # 其他


class AssignmentRole(StrEnum):
    """A volunteer's role inside the team of one need."""

    LEAD = "lead"
    MEMBER = "member"


@dataclasses.dataclass(frozen=True, slots=True)
class Skill:
    """One skill with an optional proficiency level (1 basic .. 3 expert)."""

    name: str
    level: int = 1

    def __post_init__(self) -> None:
        _require(self, "level", 1 <= self.level <= 3, "a level from 1 to 3")


@dataclasses.dataclass(frozen=True, slots=True)
class Department:
    """A college department (二级学院) and the need categories it suits."""

    name: str
    fit_categories: tuple[NeedCategory, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Volunteer:
    """A teacher, student, staff member or resident who volunteers.

    ``max_minutes`` is the hour budget over the whole horizon in minutes;
    ``phone`` and ``email`` are personal data and must never be shown to
    viewers; ``email`` is where reminders are mailed (optional).
    ``max_travel`` limits how far from home the volunteer serves: at most
    this many travel minutes from ``home_area`` to a need's area (see
    :meth:`Problem.need_area`); ``None`` means no limit.
    ``max_households`` is the most households the volunteer supports one to
    one, as primary or as backup (both count: a backup must be ready to go).
    """

    id: str
    name: str
    role: Role
    membership: Membership
    department: str
    skills: tuple[Skill, ...] = ()
    languages: tuple[str, ...] = ()
    gender: Gender | None = None
    max_shifts: int = 2
    max_minutes: int = 480
    phone: str = ""
    home_area: str = ""
    max_travel: int | None = None
    email: str = ""
    max_households: int = 2

    def __post_init__(self) -> None:
        _require(self, "max_shifts", self.max_shifts >= 0, "a whole number >= 0")
        _require(self, "max_households", self.max_households >= 0, "a whole number >= 0")
        _require(self, "max_minutes", self.max_minutes >= 0, "a whole number >= 0")
        _require(self, "max_travel", (self.max_travel or 0) >= 0, "None or >= 0")

    def skill_level(self, name: str) -> int:
        """Level of a skill, 0 if the volunteer does not have it."""
        for skill in self.skills:
            if skill.name == name:
                return skill.level
        return 0

    @property
    def can_lead(self) -> bool:
        """Teachers and party members (full or probationary) may lead a team."""
        return self.role == Role.TEACHER or self.membership.is_party


@dataclasses.dataclass(frozen=True, slots=True)
class AvailabilityWindow:
    """A window in which a volunteer can serve: a date, or a weekday every week.

    Exactly one of ``date`` and ``weekday`` (1 Monday .. 7 Sunday) is set.
    A weekday window applies only on service days of the horizon.
    """

    volunteer_id: str
    start: int
    end: int
    date: dt.date | None = None
    weekday: int | None = None

    def __post_init__(self) -> None:
        _require(self, "weekday", self.weekday is None or 1 <= self.weekday <= 7, "1 .. 7")


@dataclasses.dataclass(frozen=True, slots=True)
class Blackout:
    """A whole date on which a volunteer cannot serve at all."""

    volunteer_id: str
    date: dt.date


@dataclasses.dataclass(frozen=True, slots=True)
class Household:
    """A household that receives support.

    ``address`` and ``phone`` (a contact number, optional) are personal data
    and must never be shown to viewers.

    One-to-one support (``support`` :attr:`Support.ONE_TO_ONE`) gives the
    household a primary volunteer and a backup for a term: they must speak
    one of its ``languages`` (when it lists any), be of its
    ``required_gender`` (``preferred_gender`` is only a wish), have its
    ``skills``, live within their ``max_travel`` of its ``area``, not be
    among the volunteers it ``refused``, and have a weekly window that holds
    a visit of ``visit_minutes`` on one of its ``visit_days`` (1 Monday ..
    7 Sunday; empty: any day) inside one of its ``visit_times`` (start, end
    minutes; empty: any time).  ``visit_frequency`` says how often it is
    visited; with :attr:`VisitFrequency.DATES`, only on ``visit_dates``.
    ``priority`` (1 low .. 5 high) orders who is paired first when there are
    not enough volunteers.
    """

    id: str
    address: str
    category: HouseholdCategory
    area: str = ""
    languages: tuple[str, ...] = ()
    preferred_gender: Gender | None = None
    notes: str = ""
    phone: str = ""
    support: Support = Support.NONE
    priority: int = 3
    required_gender: Gender | None = None
    skills: tuple[Skill, ...] = ()
    visit_days: tuple[int, ...] = ()
    visit_times: tuple[tuple[int, int], ...] = ()
    visit_minutes: int = 60
    visit_frequency: VisitFrequency = VisitFrequency.WEEKLY
    visit_dates: tuple[dt.date, ...] = ()
    refused: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require(self, "priority", 1 <= self.priority <= 5, "a priority from 1 to 5")
        _require(self, "visit_minutes", self.visit_minutes >= 1, "at least 1 minute")
        _require(self, "visit_days", all(1 <= d <= 7 for d in self.visit_days), "weekdays 1 .. 7")

    @property
    def one_to_one(self) -> bool:
        """True when the household gets one-to-one support."""
        return self.support == Support.ONE_TO_ONE


@dataclasses.dataclass(frozen=True, slots=True)
class Need:
    """A piece of service to staff.

    Timing comes in three kinds:

    * fixed: ``date``, ``start`` and ``end`` set and ``duration == end - start``;
    * flexible: ``date``, ``start`` and ``end`` give a window longer than
      ``duration`` and the solver picks the start;
    * untimed: no ``date``; done during the horizon at the volunteer's
      convenience, ``duration`` still counts against the hour budget.
    """

    id: str
    title: str
    category: NeedCategory
    duration: int
    date: dt.date | None = None
    start: int | None = None
    end: int | None = None
    household_id: str | None = None
    location: str = ""
    area: str = ""
    skills: tuple[Skill, ...] = ()
    departments: tuple[str, ...] = ()
    min_volunteers: int = 1
    max_volunteers: int = 1
    priority: int = 3
    lead_required: bool = False
    joint_departments: tuple[str, ...] = ()
    required_gender: Gender | None = None
    required_languages: tuple[str, ...] = ()
    must_cover: bool = False

    def __post_init__(self) -> None:
        _require(self, "duration", self.duration >= 0, "minutes >= 0")
        _require(self, "priority", 1 <= self.priority <= 5, "a priority from 1 to 5")
        _require(self, "min_volunteers", self.min_volunteers >= 1, "at least 1")
        _require(self, "max_volunteers", self.max_volunteers >= 1, "at least 1")

    @property
    def is_timed(self) -> bool:
        """True when the need happens on a date at a time."""
        return self.date is not None

    @property
    def is_flexible(self) -> bool:
        """True when the solver picks the start inside the window."""
        return self.date is not None and (self.end - self.start) > self.duration  # type: ignore[operator]

    @property
    def latest_start(self) -> int | None:
        """Latest possible start (equal to ``start`` for fixed needs)."""
        if self.date is None:
            return None
        return self.end - self.duration  # type: ignore[operator]

    @property
    def place(self) -> str:
        """Where the need happens, for travel time: location, else area."""
        return self.location or self.area


@dataclasses.dataclass(frozen=True, slots=True)
class Pair:
    """Coordinator knowledge about a volunteer with a need or a household.

    Exactly one of ``need_id`` and ``household_id`` is set.  A household pair
    applies to every need of that household.
    """

    volunteer_id: str
    need_id: str | None = None
    household_id: str | None = None
    affinity: int = 0
    forbidden: bool = False
    extra_minutes: int = 0

    def __post_init__(self) -> None:
        _require(self, "extra_minutes", self.extra_minutes >= 0, "minutes >= 0")


@dataclasses.dataclass(frozen=True, slots=True)
class SupportPair:
    """One household's one-to-one pairing: its primary volunteer and backup.

    A pairing read back (``--previous``) may name a volunteer who has left
    or a household no longer supported: that is what a new pairing changes,
    so the ids are not checked against a problem here.
    """

    household_id: str
    primary_id: str
    backup_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Pin:
    """An assignment fixed by the coordinator (``start`` for flexible needs)."""

    volunteer_id: str
    need_id: str
    start: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One past assignment with attendance, used for continuity and fairness."""

    volunteer_id: str
    date: dt.date
    minutes: int = 0
    attended: bool = True
    need_id: str | None = None
    household_id: str | None = None
    category: NeedCategory | None = None

    def __post_init__(self) -> None:
        _require(self, "minutes", self.minutes >= 0, "minutes >= 0")


@dataclasses.dataclass(frozen=True, slots=True)
class LedgerStanding:
    """What the participation ledger says of one volunteer, for the next roster.

    ``behind`` (0..3) is how far the volunteer is behind in points for the
    ledger's period (3 for a member on the early-warning list); when a
    problem has any standing it replaces the minutes-behind rule.
    ``no_show_rate`` (0..1) makes placing the volunteer alone on a
    must-cover need cost something.  Made by
    :func:`matcher.ledger.ledger_standing`.
    """

    volunteer_id: str
    behind: int = 0
    no_show_rate: float = 0.0
    warned: bool = False

    def __post_init__(self) -> None:
        _require(self, "behind", 0 <= self.behind <= 3, "0 <= behind <= 3")
        _require(self, "no_show_rate", 0 <= self.no_show_rate <= 1, "0 <= no_show_rate <= 1")


@dataclasses.dataclass(frozen=True, slots=True)
class Travel:
    """Travel minutes between two places (symmetric)."""

    origin: str
    destination: str
    minutes: int

    def __post_init__(self) -> None:
        _require(self, "minutes", self.minutes >= 0, "minutes >= 0")


@dataclasses.dataclass(frozen=True, slots=True)
class Horizon:
    """The planning dates and which of them are service days.

    ``service_days`` are weekends and statutory holidays between ``start`` and
    ``end`` that are not make-up workdays (调休), plus any extra days the
    coordinator listed.  ``makeup_days`` are make-up workdays inside the
    range: students are in class then.  ``festivals`` names festival days.
    """

    start: dt.date
    end: dt.date
    service_days: tuple[dt.date, ...]
    makeup_days: tuple[dt.date, ...] = ()
    festivals: tuple[tuple[dt.date, str], ...] = ()

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` lies in the horizon."""
        return self.start <= day <= self.end

    def festival_name(self, day: dt.date) -> str:
        """Name of the festival on ``day``, or an empty string."""
        for festival_day, name in self.festivals:
            if festival_day == day:
                return name
        return ""


@dataclasses.dataclass(frozen=True)
class Problem:
    """Validated, immutable input of one roster run."""

    horizon: Horizon
    volunteers: tuple[Volunteer, ...]
    needs: tuple[Need, ...]
    households: tuple[Household, ...] = ()
    availability: tuple[AvailabilityWindow, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    pairs: tuple[Pair, ...] = ()
    pins: tuple[Pin, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    departments: tuple[Department, ...] = ()
    skills: tuple[str, ...] = ()
    travel: tuple[Travel, ...] = ()
    name: str = ""
    ledger: tuple[LedgerStanding, ...] = ()

    def replace(self, **changes: Any) -> Problem:
        """Return a copy with some fields replaced, checked like a loaded dataset.

        What-if runs start here, so a change that breaks a rule of
        :mod:`matcher.validate` (a pin on a removed need, a window ending
        before it starts) is refused with every issue, not solved.

        Raises
        ------
        matcher.validate.InvalidProblemError
            Listing each rule the changed problem breaks.
        """
        # validate imports this module; the rules are needed only when a problem changes
        from matcher.validate import checked

        return checked(dataclasses.replace(self, **changes))

    @cached_property
    def volunteer_index(self) -> dict[str, int]:
        """Position of each volunteer id in :attr:`volunteers`."""
        return {v.id: i for i, v in enumerate(self.volunteers)}

    @cached_property
    def need_index(self) -> dict[str, int]:
        """Position of each need id in :attr:`needs`."""
        return {n.id: i for i, n in enumerate(self.needs)}

    @cached_property
    def household_by_id(self) -> dict[str, Household]:
        """Households by id."""
        return {h.id: h for h in self.households}

    def volunteer(self, volunteer_id: str) -> Volunteer:
        """The volunteer with this id (KeyError if unknown)."""
        return self.volunteers[self.volunteer_index[volunteer_id]]

    def need(self, need_id: str) -> Need:
        """The need with this id (KeyError if unknown)."""
        return self.needs[self.need_index[need_id]]

    def need_area(self, need: Need) -> str:
        """Where a need is, for a volunteer's travel from home (``max_travel``).

        The household's area when the need serves a household that has one,
        else the need's own area, else its location; empty when none is known
        (then every volunteer is near enough).
        """
        if need.household_id is not None:
            household = self.household_by_id.get(need.household_id)
            if household is not None and household.area:
                return household.area
        return need.area or need.location

    def travel_minutes(self, origin: str, destination: str, default: int) -> int:
        """Minutes to travel between two places; ``default`` if not listed."""
        if not origin or not destination or origin == destination:
            return 0
        return self._travel_table.get((origin, destination), default)

    @cached_property
    def _travel_table(self) -> dict[tuple[str, str], int]:
        table: dict[tuple[str, str], int] = {}
        for t in self.travel:
            table[(t.origin, t.destination)] = t.minutes
            table.setdefault((t.destination, t.origin), t.minutes)
        return table


def _row_key(row: Any) -> tuple[str, str]:
    """A total order on the rows of a per-volunteer sheet: volunteer, then every value."""
    return (row.volunteer_id, repr(row))


def canonical(problem: Problem) -> Problem:
    """The same problem with its rows in one order whatever the files' order.

    The solver breaks ties by position: the first eligible volunteer in the
    greedy start, the order of the model's variables and constraints (which
    steers CP-SAT among rosters of equal value), the lead among equals.  So
    the same data in another row order gave another roster of the same
    value.  Here volunteers, needs and households go by id, and the rows of
    the other sheets by their values (per-volunteer rows by volunteer
    first), so ties are broken by id and the roster depends on the data and
    the seed only.

    Pins keep their file order on purpose: the pin checks name a pin by its
    row, and each pin fixes one pair, so its order decides no tie.

    A permutation keeps every rule, so the rows are not checked again; the
    index maps (:attr:`Problem.volunteer_index`, ...) are built afresh.
    """
    return dataclasses.replace(
        problem,
        volunteers=tuple(sorted(problem.volunteers, key=lambda v: v.id)),
        needs=tuple(sorted(problem.needs, key=lambda n: n.id)),
        households=tuple(sorted(problem.households, key=lambda h: h.id)),
        availability=tuple(sorted(problem.availability, key=_row_key)),
        blackouts=tuple(sorted(problem.blackouts, key=_row_key)),
        pairs=tuple(sorted(problem.pairs, key=_row_key)),
        history=tuple(sorted(problem.history, key=_row_key)),
        ledger=tuple(sorted(problem.ledger, key=_row_key)),
        departments=tuple(sorted(problem.departments, key=lambda d: d.name)),
        travel=tuple(sorted(problem.travel, key=repr)),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Assignment:
    """One line of a roster: a volunteer on a need at a time."""

    need_id: str
    volunteer_id: str
    date: dt.date | None
    start: int | None
    end: int | None
    role: AssignmentRole = AssignmentRole.MEMBER


def format_minutes(minutes: int | None) -> str:
    """Render minutes after midnight as ``HH:MM`` (empty for None)."""
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Items in first-seen order without duplicates or blanks."""
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)
