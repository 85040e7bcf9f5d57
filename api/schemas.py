"""Request and response bodies (pydantic), and their mapping to the domain.

Entity bodies use the domain's field names; times of day are ``HH:MM`` text
(the loader's time formats are accepted on input), dates ISO text, skills
``{"name", "level"}`` objects.  Enumerations accept the English value or the
Chinese word the spreadsheets use (``学生``, ``党员`` ...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from api.store.serialize import to_json
from matcher.domain import (
    Gender,
    Household,
    HouseholdCategory,
    Membership,
    Need,
    NeedCategory,
    Role,
    Skill,
    Support,
    VisitFrequency,
    Volunteer,
    format_minutes,
)
from matcher.i18n import _
from matcher.io import (
    NUMBER_LIMIT,
    parse_category,
    parse_enum,
    parse_gender,
    parse_household_category,
    parse_membership,
    parse_role,
    parse_time,
)

T = TypeVar("T")


def _words(parser: Callable[[Any], Any]) -> BeforeValidator:
    """Accept the spreadsheet words of an enumeration (text only; the rest pydantic checks)."""

    def parse(value: Any) -> Any:
        return parser(value) if isinstance(value, str) else value

    return BeforeValidator(parse)


RoleField = Annotated[Role, _words(parse_role)]
MembershipField = Annotated[Membership, _words(parse_membership)]
GenderField = Annotated[Gender | None, _words(lambda v: parse_gender(v) if v else None)]
HouseholdCategoryField = Annotated[HouseholdCategory, _words(parse_household_category)]
NeedCategoryField = Annotated[NeedCategory, _words(parse_category)]
SupportField = Annotated[Support, _words(lambda v: parse_enum(Support, v))]
VisitFrequencyField = Annotated[VisitFrequency, _words(lambda v: parse_enum(VisitFrequency, v))]
Minute = Annotated[int, Field(ge=0, le=24 * 60)]
EntityId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")]
Name = Annotated[str, Field(max_length=200)]
Words = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)]


class Body(BaseModel):
    """Strict bodies: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in items):
            raise ValueError(_("expected text without NUL characters"))
        return value

    def domain(self, cls: type[T], **converted: Any) -> T:
        """The domain object ``cls`` of this body: its fields by name, ``converted`` instead.

        Bodies use the domain's field names, so only what is written otherwise
        needs saying: lists become tuples (of domain objects where the items
        are bodies, such as skills), fields the body lacks keep the domain's
        defaults, and fields the domain lacks (a row's ``id``) are left out.
        """
        values = dict(converted)
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.init and field.name not in values and field.name in type(self).model_fields:
                value = getattr(self, field.name)
                if isinstance(value, list):
                    value = tuple(v.to_domain() if isinstance(v, SkillModel) else v for v in value)
                values[field.name] = value
        return cls(**values)


class SkillModel(Body):
    """A skill with a level 1 (basic) .. 3 (expert)."""

    name: str = Field(min_length=1, max_length=100)
    level: int = Field(1, ge=1, le=3)

    def to_domain(self) -> Skill:
        """The domain skill."""
        return Skill(self.name, self.level)


Skills = Annotated[list[SkillModel], Field(max_length=50)]


class VolunteerModel(Body):
    """A volunteer; ``phone`` and ``email`` are masked for viewers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "V0201",
                    "name": "示例志愿者",
                    "role": "student",
                    "membership": "league",
                    "department": "自动控制学院",
                    "skills": [{"name": "家电维修", "level": 2}],
                    "languages": ["普通话"],
                    "gender": "male",
                    "max_shifts": 2,
                    "max_minutes": 360,
                    "phone": "000-0000-0000",
                    "home_area": "第一网格",
                    "max_travel": 30,
                    "email": "volunteer@example.com",
                }
            ]
        }
    )

    id: EntityId
    name: Name = Field(min_length=1)
    role: RoleField
    membership: MembershipField
    department: Name = Field(min_length=1)
    skills: Skills = []
    languages: Words = []
    gender: GenderField = None
    max_shifts: int = Field(2, ge=0, le=1000)
    max_minutes: int = Field(480, ge=0, le=366 * 24 * 60)
    phone: str = Field("", max_length=40)
    home_area: Name = ""
    max_travel: int | None = Field(
        None,
        ge=0,
        le=NUMBER_LIMIT,
        description="most travel minutes from home_area to a need's area; null: no limit",
    )
    email: str = Field(
        "",
        max_length=254,
        description="an e-mail address for reminders (one @); masked for viewers",
    )
    max_households: int = Field(
        2, ge=0, le=1000, description="most households supported one to one (primary or backup)"
    )

    def to_domain(self) -> Volunteer:
        """The domain volunteer."""
        return self.domain(Volunteer)


class HouseholdModel(Body):
    """A household; ``address`` is masked for viewers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "H020",
                    "address": "示例小区0栋0单元000（虚构）",
                    "category": "elderly-alone",
                    "area": "第二网格",
                    "languages": ["柳州话"],
                    "preferred_gender": None,
                    "notes": "",
                }
            ]
        }
    )

    id: EntityId
    address: str = Field(min_length=1, max_length=300)
    phone: str = Field("", max_length=40, description="a contact phone; masked for viewers")
    category: HouseholdCategoryField
    area: Name = ""
    languages: Words = []
    preferred_gender: GenderField = None
    notes: str = Field("", max_length=2000)
    # one-to-one support (matcher pair); docs/data-format.md, sheet households
    support: SupportField = Support.NONE
    priority: int = Field(3, ge=1, le=5)
    required_gender: GenderField = None
    skills: Skills = []
    visit_days: list[Annotated[int, Field(ge=1, le=7)]] = Field([], max_length=7)
    visit_times: list[tuple[Minute, Minute]] = Field(
        [], max_length=20, description="visit windows as [start, end] minutes after midnight"
    )
    visit_minutes: int = Field(60, ge=1, le=24 * 60)
    visit_frequency: VisitFrequencyField = VisitFrequency.WEEKLY
    visit_dates: list[dt.date] = Field([], max_length=400)
    refused: Words = []

    def to_domain(self) -> Household:
        """The domain household."""
        return self.domain(Household)


def _clock(value: Any, *, end: bool) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(_("expected a time such as 09:00, found {value!r}").format(value=value))
    return format_minutes(parse_time(value, end=end))


class NeedModel(Body):
    """A need.  Timed needs have ``date``, ``start`` and ``end``; a ``duration``
    shorter than the window makes it flexible; without a date it is untimed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "N061",
                    "title": "重阳节探访独居老人",
                    "category": "elderly-care",
                    "date": "2026-09-26",
                    "start": "09:00",
                    "end": "11:00",
                    "household_id": "H001",
                    "min_volunteers": 1,
                    "max_volunteers": 2,
                    "priority": 4,
                    "lead_required": False,
                }
            ]
        }
    )

    id: EntityId
    title: str = Field(min_length=1, max_length=500)
    category: NeedCategoryField
    duration: int | None = Field(None, ge=0, le=24 * 60, description="minutes of work")
    date: dt.date | None = None
    start: str | None = Field(None, description="HH:MM")
    end: str | None = Field(None, description="HH:MM; 24:00 allowed")
    household_id: EntityId | None = None
    location: Name = ""
    area: Name = ""
    skills: Skills = []
    departments: Words = []
    min_volunteers: int = Field(1, ge=1, le=1000)
    max_volunteers: int | None = Field(None, ge=1, le=1000, description="default: min")
    priority: int = Field(3, ge=1, le=5)
    lead_required: bool = False
    joint_departments: Words = []
    required_gender: GenderField = None
    required_languages: Words = []
    must_cover: bool = False

    @field_validator("start")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return _clock(value, end=False)

    @field_validator("end")
    @classmethod
    def _end(cls, value: Any) -> Any:
        return _clock(value, end=True)

    def to_domain(self, area: str = "") -> Need:
        """The domain need as written; :func:`matcher.validate.need_findings` judges it."""
        start = parse_time(self.start) if self.start else None
        end = parse_time(self.end, end=True) if self.end else None
        if self.date is None:
            duration = 60 if self.duration is None else self.duration
        else:
            # a window that does not end after its start is the rules' to report, not a crash
            window = max(0, (end or 0) - (start or 0))
            duration = self.duration if self.duration is not None else window
        return self.domain(
            Need,
            duration=duration,
            start=start,
            end=end,
            area=self.area or area,
            max_volunteers=self.max_volunteers or self.min_volunteers,
        )


def entity_json(entity: Volunteer | Household | Need) -> dict[str, Any]:
    """Response body of a domain entity: its JSON form, times of day as ``HH:MM``."""
    data = to_json(entity)
    if isinstance(entity, Need):
        data["start"] = format_minutes(entity.start) or None
        data["end"] = format_minutes(entity.end) or None
    return data


def _page_example(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Example of a page: one item, the item model's own first example."""
    item = model.model_fields["items"].annotation
    item_model = next(iter(getattr(item, "__args__", ())), None)
    extra = getattr(item_model, "model_config", {}).get("json_schema_extra") or {}
    examples = extra.get("examples", []) if isinstance(extra, dict) else []
    schema["examples"] = [
        {"items": examples[:1], "total": 1 if examples else 0, "offset": 0, "limit": 50}
    ]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    model_config = ConfigDict(json_schema_extra=_page_example)

    items: list[T]
    total: int = Field(description="rows matching the filters, over all pages")
    offset: int
    limit: int


class DataIssueModel(BaseModel):
    """One problem of an upload, where the spreadsheet has it (row 1 is the header)."""

    file: str
    row: int | None
    column: str | None
    message: str


class UploadErrors(BaseModel):
    """Why an upload was refused; nothing of it was stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "errors": [
                        {
                            "file": "needs.csv",
                            "row": 3,
                            "column": "max_volunteers",
                            "message": "expected at least min_volunteers 4, "
                            "found 2",  # i18n: not shown: OpenAPI example
                        }
                    ]
                }
            ]
        }
    )

    errors: list[DataIssueModel]


class ErrorMessage(BaseModel):
    """A plain error."""

    detail: Any


class DatasetSummary(BaseModel):
    """A stored dataset with the number of rows of each kind."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "community_a",
                    "created_at": "2026-09-01T08:00:00Z",
                    "updated_at": "2026-09-01T08:00:00Z",
                    "horizon": {"start": "2026-09-19", "end": "2026-09-27"},
                    "counts": {"volunteers": 200, "needs": 60, "households": 18},
                }
            ]
        }
    )

    id: int
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    horizon: dict[str, Any]
    counts: dict[str, int]
    warnings: list[DataIssueModel] = Field(
        default_factory=list,
        description="what the upload's reader noticed but did not refuse (a column it "
        "ignored, headers below a title row); only in the answer to the upload",
    )


class DeleteReport(BaseModel):
    """What a delete removed: the entity and the rows that depended on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"deleted": "dataset:1/volunteer:V001", "removed": {"availability": 2, "pins": 1}}
            ]
        }
    )

    deleted: str
    removed: dict[str, int] = {}
