"""Bodies of the dataset's other rows (:mod:`api.routes.records`) and their answers.

Row bodies use the domain's field names (``minutes``, ``origin``, ...), like
the entity bodies of :mod:`api.schemas`, and accept the spreadsheet's cell
formats through :mod:`matcher.io`'s parsers: dates such as ``2026/9/19`` or
``2026年9月19日``, times such as ``9:00`` or ``下午3点``, weekdays such as
``周六``, yes/no as ``是``/``否``, need categories in Chinese.  Answers give
dates as ISO text and times of day as ``HH:MM``.

Every row body may carry the ``id`` a read answered (so a read, edit, write
round trip works); on a create it must be absent, on a replace it must match
the path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from api.schemas import Body, EntityId, Name, NeedCategoryField
from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Department,
    HistoryEntry,
    Pair,
    Pin,
    Travel,
    format_minutes,
    unique,
)
from matcher.i18n import N_, _
from matcher.io import NUMBER_LIMIT, parse_bool, parse_date, parse_time, parse_weekday

ROW_ID_MAX = 2_147_483_647
"""Largest row id (the ids are 32-bit integer columns)."""


def _text_only(parser: Callable[[Any], Any], what: str, native: type) -> BeforeValidator:
    """Parse text with a :mod:`matcher.io` cell parser; pass ``native`` values to pydantic.

    Anything else is refused here, because pydantic's lax mode would read
    numbers as dates (seconds since 1970) and ``1`` as a time.
    """

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            return parser(value)
        # the exact type: bool is an int to Python, but true is no weekday
        if value is None or type(value) is native:
            return value
        raise ValueError(_("expected {what}, found {value!r}").format(what=_(what), value=value))

    return BeforeValidator(parse)


DateField = Annotated[dt.date, _text_only(parse_date, N_("a date such as 2026-09-19"), dt.date)]
WeekdayField = Annotated[
    int, _text_only(parse_weekday, N_("a weekday 1-7 or 周一..周日"), int), Field(ge=1, le=7)
]
FlagField = Annotated[bool, _text_only(parse_bool, N_("true or false (是/否)"), bool)]
RowId = Annotated[int, Field(ge=1, le=ROW_ID_MAX)]
Count = Annotated[int, Field(ge=0, le=NUMBER_LIMIT)]
Categories = Annotated[list[NeedCategoryField], Field(max_length=20)]


def clock(value: Any, *, end: bool) -> str | None:
    """A time of day as ``HH:MM`` (None stays None); the loader's formats are accepted."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(_("expected a time such as 09:00, found {value!r}").format(value=value))
    return format_minutes(parse_time(value, end=end))


StartClock = Annotated[
    str | None, AfterValidator(lambda value: clock(value, end=False)), Field(description="HH:MM")
]
"""A time of day a body gives as the spreadsheets write it (``09:00``, ``9点``), as ``HH:MM``."""
EndClock = Annotated[
    str | None,
    AfterValidator(lambda value: clock(value, end=True)),
    Field(description="HH:MM; 24:00 allowed"),
]
"""An end time of day: as :data:`StartClock`, ``24:00`` allowed."""


def minutes_of(value: str | None, *, end: bool = False) -> int | None:
    """Minutes after midnight of an ``HH:MM`` field that :func:`clock` normalised."""
    return None if value is None else parse_time(value, end=end)


class RowBody(Body):
    """Base of the row bodies: strict (see :class:`api.schemas.Body`), with an optional id."""

    id: RowId | None = Field(
        None, description="the row's id: leave out on create, the path's id on replace"
    )

    row_class: ClassVar[type]
    """The domain class of the row (the body's fields by name, :meth:`Body.domain`)."""

    def to_domain(self) -> Any:
        """The domain row; bodies whose fields need converting say how."""
        return self.domain(self.row_class)


class DepartmentBody(RowBody):
    """A college department (二级学院) and the need categories it suits (a soft preference)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "自动控制学院", "fit_categories": ["repair-appliance", "宣传"]}]
        }
    )

    name: Name = Field(min_length=1)
    fit_categories: Categories = Field(default_factory=list)

    def to_domain(self) -> Department:
        """The domain department (categories once each, in order)."""
        return self.domain(Department, fit_categories=tuple(unique(self.fit_categories)))


class SkillBody(RowBody):
    """A skill name of the dataset's skills list."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "家电维修"}]})

    name: str = Field(min_length=1, max_length=100)


class AvailabilityBody(RowBody):
    """A window in which a volunteer can serve: on a ``date`` or every ``weekday`` (1-7)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"volunteer_id": "V0001", "weekday": 6, "start": "08:30", "end": "12:00"},
                {"volunteer_id": "V0001", "date": "2026-09-25", "start": "14:00", "end": "17:30"},
            ]
        }
    )

    volunteer_id: EntityId
    date: DateField | None = Field(None, description="a date of the horizon (or give weekday)")
    weekday: WeekdayField | None = Field(None, description="1 Monday .. 7 Sunday (or give date)")
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM, after start; 24:00 allowed")

    @field_validator("start")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return clock(value, end=False)

    @field_validator("end")
    @classmethod
    def _end(cls, value: Any) -> Any:
        return clock(value, end=True)

    def to_domain(self) -> AvailabilityWindow:
        """The domain window."""
        return self.domain(
            AvailabilityWindow, start=parse_time(self.start), end=parse_time(self.end, end=True)
        )


class BlackoutBody(RowBody):
    """A whole date of the horizon on which a volunteer cannot serve at all."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"volunteer_id": "V0001", "date": "2026-09-26"}]}
    )

    row_class = Blackout

    volunteer_id: EntityId
    date: DateField


class PairBody(RowBody):
    """What the coordinator knows about a volunteer with a need or a household (one of them)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"volunteer_id": "V0016", "household_id": "H001", "affinity": 3},
                {"volunteer_id": "V0020", "need_id": "N005", "forbidden": True},
            ]
        }
    )

    row_class = Pair

    volunteer_id: EntityId
    need_id: EntityId | None = Field(None, description="a need (or give household_id)")
    household_id: EntityId | None = Field(
        None, description="a household: the pair applies to all its needs"
    )
    affinity: int = Field(
        0, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT, description="positive prefers, negative avoids"
    )
    forbidden: FlagField = Field(False, description="never assign this pair")
    extra_minutes: Count = Field(0, description="travel minutes counted against the budget")


class PinBody(RowBody):
    """An assignment the solver must keep; ``start`` only for a flexible need."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"volunteer_id": "V0081", "need_id": "N026"}]}
    )

    volunteer_id: EntityId
    need_id: EntityId
    start: str | None = Field(None, description="HH:MM inside a flexible need's window")

    @field_validator("start")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return clock(value, end=False)

    def to_domain(self) -> Pin:
        """The domain pin."""
        return self.domain(Pin, start=minutes_of(self.start))


class HistoryBody(RowBody):
    """One past assignment with attendance (continuity and fairness read it)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "volunteer_id": "V0001",
                    "date": "2026-07-26",
                    "minutes": 180,
                    "attended": True,
                    "need_id": "P00001",
                    "household_id": None,
                    "category": "publicity",
                }
            ]
        }
    )

    row_class = HistoryEntry

    volunteer_id: EntityId
    date: DateField
    minutes: Count = Field(0, description="minutes served")
    attended: FlagField = True
    need_id: EntityId | None = Field(None, description="the need of the time (free text)")
    household_id: EntityId | None = Field(None, description="a household of the dataset")
    category: NeedCategoryField | None = None


class TravelBody(RowBody):
    """Travel minutes between two places (locations or areas); the reverse is the same
    unless listed too."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"origin": "社区党群服务中心", "destination": "社区广场", "minutes": 3}]
        }
    )

    row_class = Travel

    origin: Name = Field(min_length=1)
    destination: Name = Field(min_length=1)
    minutes: Count


# --------------------------------------------------------------------------- answers


class DepartmentRow(BaseModel):
    """A stored department."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 12, "name": "自动控制学院", "fit_categories": ["repair-appliance"]}]
        }
    )

    id: int
    name: str
    fit_categories: list[str]


class SkillRow(BaseModel):
    """A stored skill name."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 40, "name": "家电维修"}]})

    id: int
    name: str


class AvailabilityRow(BaseModel):
    """A stored availability window (times ``HH:MM``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 61,
                    "volunteer_id": "V0001",
                    "start": "08:30",
                    "end": "17:30",
                    "date": None,
                    "weekday": 7,
                }
            ]
        }
    )

    id: int
    volunteer_id: str
    start: str
    end: str
    date: dt.date | None
    weekday: int | None


class BlackoutRow(BaseModel):
    """A stored blackout date."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 480, "volunteer_id": "V0001", "date": "2026-09-26"}]}
    )

    id: int
    volunteer_id: str
    date: dt.date


class PairRow(BaseModel):
    """A stored pair."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 500,
                    "volunteer_id": "V0016",
                    "need_id": None,
                    "household_id": "H001",
                    "affinity": 3,
                    "forbidden": False,
                    "extra_minutes": 0,
                }
            ]
        }
    )

    id: int
    volunteer_id: str
    need_id: str | None
    household_id: str | None
    affinity: int
    forbidden: bool
    extra_minutes: int


class PinRow(BaseModel):
    """A stored pin (``start`` ``HH:MM`` or null)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 510, "volunteer_id": "V0081", "need_id": "N026", "start": None}]
        }
    )

    id: int
    volunteer_id: str
    need_id: str
    start: str | None


class HistoryRow(BaseModel):
    """A stored history row; ``roster_id`` names the published roster that wrote it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 520,
                    "volunteer_id": "V0001",
                    "date": "2026-07-26",
                    "minutes": 180,
                    "attended": True,
                    "need_id": "P00001",
                    "household_id": None,
                    "category": "publicity",
                    "roster_id": None,
                }
            ]
        }
    )

    id: int
    volunteer_id: str
    date: dt.date
    minutes: int
    attended: bool
    need_id: str | None
    household_id: str | None
    category: str | None
    roster_id: int | None = Field(
        description="the published roster this row came from; null for rows uploaded or added"
    )


class TravelRow(BaseModel):
    """A stored travel time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 800, "origin": "社区党群服务中心", "destination": "社区广场", "minutes": 3}
            ]
        }
    )

    id: int
    origin: str
    destination: str
    minutes: int
