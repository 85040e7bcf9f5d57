"""The scenarios file (``scenarios.toml``): what might change before an event.

A scenario is the base problem plus changes; :func:`apply_scenario` makes the
changed :class:`~matcher.domain.Problem` with :meth:`Problem.replace`, so the
changed problem keeps every rule of :mod:`matcher.validate` or is refused.
The file is read with :func:`load_scenarios` and checked against a pydantic
schema: every mistake is named by file and key path
(``scenarios.toml: scenarios[2].remove.department: ...``), in the language
in force.  Example::

    [settings]
    time_limit = 10          # seconds per scenario (matcher whatif --time-limit wins)
    seed = 0                 # CP-SAT's random seed, the same for every scenario
    stable = true            # scenarios keep the base roster where they can (false: fresh)

    [[scenarios]]
    name = "两成志愿者缺席"
    remove = { share = 0.2, seed = 7 }

    [[scenarios]]
    name = "义务理发进中秋"
    [[scenarios.add_needs]]
    id = "N101"
    like = "N003"            # a copy of N003 with what is given below changed
    date = "2026-09-25"

The changes, applied in this order (all optional, each a table or a list of
tables):

``extends``
    The name of an earlier scenario whose changes come first.
``fresh``
    ``true``: solve this one from scratch, not close to the base roster.
``remove``
    Volunteers who drop out: ``volunteers`` (ids), ``department``,
    ``membership``, ``role``, ``skill`` (each one value or a list; a
    volunteer must match every key given), then ``share`` (0..1) or
    ``count`` of those drawn at random with ``seed``.
``away``
    The same selection plus ``dates``: whole days off (blackouts).
``add_volunteers``
    New volunteers with their ``windows`` (``date`` or ``weekday``,
    ``start``, ``end``).
``add_availability``
    The selection plus ``date`` or ``weekday``, ``start`` and ``end``.
``remove_needs``
    Needs by ``needs`` (ids), ``category``, ``date``, ``location`` (a whole
    event: everything at one place on one day).
``change_needs``
    The needs selection plus new values: ``min_volunteers``,
    ``max_volunteers``, ``scale`` (both counts times a factor, rounded up),
    ``priority``, ``must_cover``, ``lead_required``, ``title``,
    ``location``, ``area``, ``date``, ``start``, ``end``, ``duration``,
    ``skills``.
``add_needs``
    New needs, whole or ``like`` an existing one.
``params``
    Solver parameters and weights as in ``params.toml``.

Volunteers removed take their availability, blackouts, pairs, pins,
history and ledger standing with them; removed needs take their pins and
pairs.  Values are written as in the spreadsheets: ``理发:2``,
``党员``/``party``, ``教师``/``teacher``, ``09:00``, ``2026-09-25``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from matcher.domain import Gender, Membership, NeedCategory, Role, Skill
from matcher.errors import DataError, DataIssue
from matcher.i18n import _
from matcher.io.cells import (
    parse_category,
    parse_date,
    parse_gender,
    parse_list,
    parse_membership,
    parse_role,
    parse_skills,
    parse_time,
    parse_weekday,
)

# One wording for every TOML file the project reads: the points rules file
# already turns pydantic's errors into key paths and messages in the user's
# language (a shared home for both helpers is a move for whoever merges).
from matcher.ledger.rules import _key_path, _message
from matcher.params import params_from_mapping

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MAX_SCENARIOS",
    "Scenario",
    "ScenarioFile",
    "Settings",
    "load_scenarios",
    "scenarios_from_mapping",
    "scenarios_from_text",
]

DEFAULT_TIME_LIMIT = 10.0
"""Seconds per scenario when neither the file nor the command line says."""
MAX_SCENARIOS = 200
"""Most scenarios in one file: each is a solve."""


def _listed(value: Any) -> Any:
    """One value or a list: ``"a"`` and ``"a、b"`` become lists; a list stays one."""
    if isinstance(value, str):
        return parse_list(value)
    return value


def _each(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A validator that parses one value or each item of a list."""

    def parse_all(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(parse(item) for item in value)
        if isinstance(value, str):
            return tuple(parse(item) for item in parse_list(value))
        return (parse(value),)

    return parse_all


def _skills(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(skill for item in value for skill in parse_skills(item))
    return parse_skills(value)


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else parse(value)


Names = Annotated[tuple[str, ...], BeforeValidator(_listed)]
Dates = Annotated[tuple[dt.date, ...], BeforeValidator(_each(parse_date))]
Memberships = Annotated[tuple[Membership, ...], BeforeValidator(_each(parse_membership))]
Roles = Annotated[tuple[Role, ...], BeforeValidator(_each(parse_role))]
Categories = Annotated[tuple[NeedCategory, ...], BeforeValidator(_each(parse_category))]
Skills = Annotated[tuple[Skill, ...], BeforeValidator(_skills)]
Time = Annotated[int, BeforeValidator(parse_time)]
EndTime = Annotated[int, BeforeValidator(lambda value: parse_time(value, end=True))]
Day = Annotated[dt.date, BeforeValidator(parse_date)]
Weekday = Annotated[int, BeforeValidator(parse_weekday)]
Category = Annotated[NeedCategory, BeforeValidator(parse_category)]
OptionalGender = Annotated[Gender | None, BeforeValidator(_optional(parse_gender))]
Count = Annotated[int, Field(ge=1, le=10_000)]
Minutes = Annotated[int, Field(ge=0, le=24 * 60 * 366)]


class _Section(BaseModel):
    # an unknown key is a typo that would silently change nothing: refused
    model_config = ConfigDict(extra="forbid", frozen=True)


class VolunteerSelection(_Section):
    """Volunteers chosen by id and attributes (all keys given must match), then drawn.

    With ``share`` or ``count`` a random part of the matching volunteers is
    taken (numpy's generator with ``seed``, over the matches in id order),
    so the same file always removes the same people.
    """

    volunteers: Names = ()
    department: Names = ()
    membership: Memberships = ()
    role: Roles = ()
    skill: Names = ()
    share: Annotated[float, Field(gt=0, le=1)] | None = None
    count: Count | None = None
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0

    @model_validator(mode="after")
    def _says_whom(self) -> VolunteerSelection:
        if self.share is not None and self.count is not None:
            raise ValueError(_("give share or count, not both"))
        chosen = (self.volunteers, self.department, self.membership, self.role, self.skill)
        if not any(chosen) and self.share is None and self.count is None:
            # i18n: not shown: key names, the same in every language
            keys = "volunteers, department, membership, role, skill, share, count"
            raise ValueError(_("expected at least one of: {keys}").format(keys=keys))
        return self


class Away(VolunteerSelection):
    """Selected volunteers away (not serving at all) on some dates."""

    dates: Annotated[Dates, Field(min_length=1)]


class Window(_Section):
    """An availability window: a date or a weekday, from ``start`` to ``end``."""

    date: Day | None = None
    weekday: Weekday | None = None
    start: Time
    end: EndTime

    @model_validator(mode="after")
    def _one_day(self) -> Window:
        if (self.date is None) == (self.weekday is None):
            raise ValueError(_("give date or weekday (one of them)"))
        if self.end <= self.start:
            raise ValueError(_("expected an end after the start"))
        return self


class AddAvailability(VolunteerSelection, Window):
    """Selected volunteers free in one more window (a festival day, say)."""


class NewVolunteer(_Section):
    """A volunteer who joins for the scenario (a recruit, a helper from outside)."""

    id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    role: Annotated[Role, BeforeValidator(parse_role)]
    membership: Annotated[Membership, BeforeValidator(parse_membership)]
    department: Annotated[str, Field(min_length=1)]
    skills: Skills = ()
    languages: Names = ()
    gender: OptionalGender = None
    max_shifts: Annotated[int, Field(ge=0, le=100)] = 2
    max_hours: Annotated[float, Field(ge=0, le=1000)] = 8
    home_area: str = ""
    windows: tuple[Window, ...] = ()


class NeedSelection(_Section):
    """Needs chosen by id, category, date and location (all keys given must match)."""

    needs: Names = ()
    category: Categories = ()
    date: Dates = ()
    location: Names = ()

    @model_validator(mode="after")
    def _says_which(self) -> NeedSelection:
        if not (self.needs or self.category or self.date or self.location):
            raise ValueError(_("expected at least one of needs, category, date, location"))
        return self


class NeedChange(_Section):
    """Selected needs with new values for what is given.

    Selection keys are ``needs``, ``category``, ``on_date`` (the date the
    need is on now) and ``at`` (its location now); ``date`` and
    ``location`` are new values.
    """

    needs: Names = ()
    category: Categories = ()
    on_date: Dates = ()
    at: Names = ()
    min_volunteers: Count | None = None
    max_volunteers: Count | None = None
    scale: Annotated[float, Field(gt=0, le=100)] | None = None
    priority: Annotated[int, Field(ge=1, le=5)] | None = None
    must_cover: bool | None = None
    lead_required: bool | None = None
    title: Annotated[str, Field(min_length=1)] | None = None
    location: str | None = None
    area: str | None = None
    date: Day | None = None
    start: Time | None = None
    end: EndTime | None = None
    duration: Minutes | None = None
    skills: Skills | None = None

    @model_validator(mode="after")
    def _says_which(self) -> NeedChange:
        if not (self.needs or self.category or self.on_date or self.at):
            raise ValueError(_("expected at least one of needs, category, on_date, at"))
        return self

    def selection(self) -> NeedSelection:
        """The needs this change applies to."""
        return NeedSelection(
            needs=self.needs, category=self.category, date=self.on_date, location=self.at
        )


class NewNeed(_Section):
    """A need added for the scenario; ``like`` copies an existing need first."""

    id: Annotated[str, Field(min_length=1)]
    like: str | None = None
    title: Annotated[str, Field(min_length=1)] | None = None
    category: Category | None = None
    date: Day | None = None
    start: Time | None = None
    end: EndTime | None = None
    duration: Minutes | None = None
    household_id: str | None = None
    location: str | None = None
    area: str | None = None
    skills: Skills | None = None
    departments: Names | None = None
    min_volunteers: Count | None = None
    max_volunteers: Count | None = None
    priority: Annotated[int, Field(ge=1, le=5)] | None = None
    lead_required: bool | None = None
    joint_departments: Names | None = None
    required_gender: OptionalGender = None
    required_languages: Names | None = None
    must_cover: bool | None = None

    @model_validator(mode="after")
    def _complete(self) -> NewNeed:
        if self.like is None:
            missing = [key for key in ("title", "category") if getattr(self, key) is None]
            if self.duration is None and (self.start is None or self.end is None):
                missing.append("duration")
            if missing:
                raise ValueError(
                    _("a new need without like needs {keys}").format(keys=", ".join(missing))
                )
        return self


class Scenario(_Section):
    """One what-if: a name, what it is about, and its changes."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: str = ""
    extends: str | None = None
    fresh: bool = False
    """Solve this scenario from scratch even when the file's scenarios are stable
    (a change of weights moves nobody when the base roster is held)."""
    remove: VolunteerSelection | None = None
    away: tuple[Away, ...] = ()
    add_volunteers: tuple[NewVolunteer, ...] = ()
    add_availability: tuple[AddAvailability, ...] = ()
    remove_needs: tuple[NeedSelection, ...] = ()
    change_needs: tuple[NeedChange, ...] = ()
    add_needs: tuple[NewNeed, ...] = ()
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _known_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            params_from_mapping(value, "params")
        except DataError as error:
            issue = error.issues[0]
            where = f"{issue.column}: " if issue.column else ""
            raise ValueError(where + issue.message) from None
        return value


class Settings(_Section):
    """What holds for every scenario of the file."""

    time_limit: Annotated[float, Field(gt=0, le=3600)] = DEFAULT_TIME_LIMIT
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    stable: bool = True
    """Solve each scenario with the base roster as its reference (fewest changes)."""


class ScenarioFile(_Section):
    """A whole ``scenarios.toml``."""

    settings: Settings = Settings()
    scenarios: Annotated[tuple[Scenario, ...], Field(max_length=MAX_SCENARIOS)]

    @model_validator(mode="after")
    def _names(self) -> ScenarioFile:
        if not self.scenarios:
            raise ValueError(_("expected at least one [[scenarios]] table"))
        seen: set[str] = set()
        for scenario in self.scenarios:
            if scenario.name in seen:
                raise ValueError(_("scenario name {name!r} repeats").format(name=scenario.name))
            if scenario.extends is not None and scenario.extends not in seen:
                raise ValueError(
                    _("scenario {name!r} extends {other!r}, which is not an earlier one").format(
                        name=scenario.name, other=scenario.extends
                    )
                )
            seen.add(scenario.name)
        return self

    def by_name(self) -> dict[str, Scenario]:
        """The scenarios by name."""
        return {s.name: s for s in self.scenarios}


# --- reading ------------------------------------------------------------------------


def scenarios_from_mapping(data: Any, label: str = "scenarios.toml") -> ScenarioFile:
    """Check parsed TOML (or JSON) data and build the scenarios.

    Parameters
    ----------
    data
        What :mod:`tomllib` or :mod:`json` read.
    label
        The file name used in messages.

    Raises
    ------
    DataError
        Every problem, each as ``label: scenarios[2].remove.department: message``.
    """
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as error:
        issues = []
        for item in error.errors():
            path = _key_path(tuple(item["loc"]))
            message = f"{path}: {_message(item)}" if path else _message(item)
            issues.append(DataIssue(label, None, None, message))
        raise DataError(issues) from None


def scenarios_from_text(text: str, label: str = "scenarios.toml") -> ScenarioFile:
    """Parse TOML text into scenarios (see :func:`scenarios_from_mapping`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = _("not a valid TOML file: {reason}").format(reason=error)
        raise DataError.at(label, message) from None
    return scenarios_from_mapping(data, label)


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Read a scenarios file.

    Raises
    ------
    DataError
        When the file is missing, is not TOML, or breaks the schema (each
        problem named by file and key path).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError.at(str(path), _("file not found")) from None
    except OSError as error:
        message = _("cannot read the file: {reason}").format(reason=error.strerror or error)
        raise DataError.at(str(path), message) from None
    except UnicodeDecodeError as error:
        message = _("not a valid TOML file: {reason}").format(reason=error)
        raise DataError.at(str(path), message) from None
    return scenarios_from_text(text, path.name)
