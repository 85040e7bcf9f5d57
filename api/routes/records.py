"""The dataset's other rows: departments, skills, availability, blackouts, pairs,
pins, history and travel.  For each: list (paged, filtered), get, create,
replace and delete, under ``/datasets/{dataset_id}/<kind>``.

These rows live in :class:`~api.store.models.DatasetItem` and have no id of
their own in the spreadsheets, so a row is addressed by its database id
(answered on every read).  A written row is checked as the upload checks it
(:mod:`matcher.io`): known volunteers, needs and households, dates inside the
horizon, times in order, one pin per volunteer and need, unique names and
routes.  Bad values answer 422 with the field path; a row that clashes with
what is stored (a duplicate, a rename of a department still in use, a change
that would make a stored pin impossible) answers 409.  Pins are also checked
as the solver checks them (:mod:`api.pins`, shared with the entity routes), so
a pin the solve would refuse is refused here, not in a failed job.

Reads answer every role; none of these rows holds personal data (phones,
addresses and household notes live on volunteers and households), so nothing
is masked.  Writes need a coordinator or admin, mark the dataset changed and
are written to the audit log.
"""

# No ``from __future__ import annotations`` here: the routes are made by a
# factory per kind, and FastAPI must see each route's body class itself, not
# the name of a local variable it cannot resolve.

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, audit
from api.pins import pin_refusals, refuse_broken_pins
from api.record_schemas import (
    AvailabilityBody,
    AvailabilityRow,
    BlackoutBody,
    BlackoutRow,
    DepartmentBody,
    DepartmentRow,
    HistoryBody,
    HistoryRow,
    PairBody,
    PairRow,
    PinBody,
    PinRow,
    RowBody,
    SkillBody,
    SkillRow,
    TravelBody,
    TravelRow,
)
from api.routes.common import AUTH, NOT_FOUND, DatasetId, get_dataset
from api.schemas import DeleteReport, ErrorMessage, Page
from api.store.datasets import touch
from api.store.models import (
    ApiKey,
    Dataset,
    DatasetItem,
    HouseholdRecord,
    NeedRecord,
    VolunteerRecord,
)
from api.store.serialize import from_json, to_json
from api.validation import Issue, unprocessable
from matcher.domain import Need, format_minutes
from matcher.io import SHEETS

router = APIRouter(prefix="/datasets/{dataset_id}", tags=["dataset rows"])

NO_NUL = r"^[^\x00]*$"
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the row's id")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]
IdFilter = Annotated[str | None, Query(min_length=1, max_length=100, pattern=NO_NUL)]
NameFilter = Annotated[str | None, Query(min_length=1, max_length=200, pattern=NO_NUL)]
DateFilter = Annotated[dt.date | None, Query(description="rows of this date")]
Filters = list[ColumnElement[bool]]

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Clashes with what is stored"}
}
READ_RESPONSES = {**AUTH, **NOT_FOUND}
WRITE_RESPONSES = {**AUTH, **NOT_FOUND, **CONFLICT}


@dataclasses.dataclass(frozen=True, slots=True)
class Stored:
    """What a valid body becomes: the row's JSON and its reference columns."""

    data: dict[str, Any]
    volunteer_id: str | None = None
    need_id: str | None = None
    household_id: str | None = None

    @classmethod
    def of(cls, item: Any) -> "Stored":
        """The columns of a domain row, as :func:`api.store.datasets.save_problem` fills them."""
        return cls(
            data=to_json(item),
            volunteer_id=getattr(item, "volunteer_id", None),
            need_id=getattr(item, "need_id", None),
            household_id=getattr(item, "household_id", None),
        )


Validate = Callable[[Session, Dataset, Any, DatasetItem | None], Stored]


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of row and how its routes behave."""

    name: str
    """The stored ``DatasetItem.kind`` and the path segment."""
    one: str
    """One row, for messages, audit actions and targets."""
    a_row: str
    """One row in the summaries: "an availability window"."""
    rows: str
    """Rows in the summaries: "availability windows"."""
    body: type[RowBody]
    row: type[BaseModel]
    filters: Callable[..., Filters]
    """A dependency: the list's query parameters as SQL conditions."""
    validate: Validate
    """Checks a body (422/409) and gives what to store; the last argument is the row
    being replaced, None on create."""
    about: str
    checks_pins: bool = False
    """Whether a write can change which of a volunteer's pins the solver accepts."""
    pins_of_all: bool = False
    """Whether that goes for every volunteer's pins, not only the row's volunteer's."""
    on_delete: Callable[[Session, Dataset, DatasetItem], None] | None = None
    """Refuses (409) a delete that would leave the dataset inconsistent."""


# --------------------------------------------------------------------------- helpers


def _horizon(dataset: Dataset) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(dataset.horizon["start"]), dt.date.fromisoformat(
        dataset.horizon["end"]
    )


def _inside_horizon(dataset: Dataset, day: dt.date, field: str) -> list[Issue]:
    start, end = _horizon(dataset)
    if start <= day <= end:
        return []
    return [((field,), f"expected a date inside the horizon {start} .. {end}, found {day}")]


def _listed_in(sheet: str) -> str:
    # the loader's wording, so an upload and an edit explain a bad reference alike
    return f"listed in {sheet} ({SHEETS[sheet].zh})"


def _known(
    session: Session,
    dataset: Dataset,
    model: type[VolunteerRecord] | type[NeedRecord] | type[HouseholdRecord],
    value: str | None,
    field: str,
) -> list[Issue]:
    """An issue when ``value`` names no stored volunteer, need or household."""
    if value is None:
        return []
    found = session.scalar(
        select(model.id).where(model.dataset_id == dataset.id, model.entity_id == value)
    )
    if found is not None:
        return []
    sheet = model.__tablename__
    what = sheet.rstrip("s")
    return [((field,), f"expected a {what} id {_listed_in(sheet)}, found unknown {value!r}")]


def _check(issues: list[Issue]) -> None:
    if issues:
        raise unprocessable(issues)


def _conflict(message: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, message)


def _items(dataset: Dataset, kind: str, *where: ColumnElement[bool]) -> Any:
    """A select of the dataset's rows of ``kind``."""
    return select(DatasetItem).where(
        DatasetItem.dataset_id == dataset.id, DatasetItem.kind == kind, *where
    )


def _other_than(current: DatasetItem | None) -> list[ColumnElement[bool]]:
    return [DatasetItem.id != current.id] if current is not None else []


def _duplicate(
    session: Session,
    dataset: Dataset,
    kind: Kind,
    current: DatasetItem | None,
    where: list[ColumnElement[bool]],
    what: str,
) -> None:
    """409 when another row of ``kind`` matches ``where`` (the upload refuses duplicates)."""
    other = session.scalar(_items(dataset, kind.name, *where, *_other_than(current)).limit(1))
    if other is not None:
        raise _conflict(
            f"{what} is already row {other.id}; PUT /datasets/{dataset.id}/{kind.name}/"
            f"{other.id} replaces it"
        )


def _some(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return f"{shown} and {len(ids) - limit} more" if len(ids) > limit else shown


def _users(volunteers: list[str], needs: list[str]) -> str:
    parts = []
    if volunteers:
        parts.append(f"volunteers {_some(volunteers)}")
    if needs:
        parts.append(f"needs {_some(needs)}")
    return " and ".join(parts)


def _need_rows(session: Session, dataset: Dataset) -> list[tuple[str, dict[str, Any]]]:
    return [
        (entity_id, data)
        for entity_id, data in session.execute(
            select(NeedRecord.entity_id, NeedRecord.data)
            .where(NeedRecord.dataset_id == dataset.id)
            .order_by(NeedRecord.position)
        )
    ]


# --------------------------------------------------------------------------- checks per kind


def _ids_used(
    session: Session,
    dataset: Dataset,
    volunteer_where: ColumnElement[bool],
    need_uses: Callable[[dict[str, Any]], bool],
) -> tuple[list[str], list[str]]:
    volunteers = list(
        session.scalars(
            select(VolunteerRecord.entity_id)
            .where(VolunteerRecord.dataset_id == dataset.id, volunteer_where)
            .order_by(VolunteerRecord.position)
        )
    )
    needs = [entity_id for entity_id, data in _need_rows(session, dataset) if need_uses(data)]
    return volunteers, needs


def _department_users(session: Session, dataset: Dataset, name: str) -> tuple[list[str], list[str]]:
    return _ids_used(
        session,
        dataset,
        VolunteerRecord.department == name,
        lambda need: (
            name in need.get("departments", ()) or name in need.get("joint_departments", ())
        ),
    )


def _skill_users(session: Session, dataset: Dataset, name: str) -> tuple[list[str], list[str]]:
    return _ids_used(
        session,
        dataset,
        VolunteerRecord.skills.contains(f";{name};", autoescape=True),
        lambda need: any(s["name"] == name for s in need.get("skills", ())),
    )


def _validate_department(
    session: Session, dataset: Dataset, body: DepartmentBody, current: DatasetItem | None
) -> Stored:
    name_is = DatasetItem.data["name"].as_string() == body.name
    _duplicate(session, dataset, DEPARTMENTS, current, [name_is], f"department {body.name!r}")
    if current is not None and current.data["name"] != body.name:
        old = current.data["name"]
        if users := _users(*_department_users(session, dataset, old)):
            raise _conflict(
                f"department {old!r} is used by {users}; a rename would leave them "
                "without a listed department (add the new name, move them, then delete)"
            )
    return Stored.of(body.to_domain())


def _department_in_use(session: Session, dataset: Dataset, row: DatasetItem) -> None:
    name = row.data["name"]
    if users := _users(*_department_users(session, dataset, name)):
        raise _conflict(f"department {name!r} is used by {users}; change those first")


def _skill_names(session: Session, dataset: Dataset, current: DatasetItem | None) -> set[str]:
    """The skills list without the row being replaced or deleted."""
    return set(
        session.scalars(
            select(DatasetItem.data["name"].as_string()).where(
                DatasetItem.dataset_id == dataset.id,
                DatasetItem.kind == "skills",
                *_other_than(current),
            )
        )
    )


def _skills_in_use(session: Session, dataset: Dataset) -> set[str]:
    used: set[str] = set()
    for text in session.scalars(
        select(VolunteerRecord.skills).where(VolunteerRecord.dataset_id == dataset.id)
    ):
        used.update(name for name in text.split(";") if name)
    for _, data in _need_rows(session, dataset):
        used.update(s["name"] for s in data.get("skills", ()))
    return used


def _validate_skill(
    session: Session, dataset: Dataset, body: SkillBody, current: DatasetItem | None
) -> Stored:
    name_is = DatasetItem.data["name"].as_string() == body.name
    _duplicate(session, dataset, SKILLS, current, [name_is], f"skill {body.name!r}")
    if current is not None and current.data["name"] != body.name:
        old = current.data["name"]
        if users := _users(*_skill_users(session, dataset, old)):
            raise _conflict(
                f"skill {old!r} is used by {users}; a rename would leave them with a "
                "skill that is not listed (add the new name, change them, then delete)"
            )
    elif current is None and not _skill_names(session, dataset, None):
        # without a skills list any name goes; the first name makes the list binding
        unlisted = sorted(_skills_in_use(session, dataset) - {body.name})
        if unlisted:
            raise _conflict(
                "the dataset has no skills list, so any skill name goes; a first skill "
                f"would make the list binding, but {_some(unlisted)} are in use and not "
                "listed (upload the dataset with the whole skills list instead)"
            )
    return Stored(data={"name": body.name})


def _skill_in_use(session: Session, dataset: Dataset, row: DatasetItem) -> None:
    name = row.data["name"]
    if not _skill_names(session, dataset, row):
        return  # the last skill: without a list any name goes, so nothing breaks
    if users := _users(*_skill_users(session, dataset, name)):
        raise _conflict(f"skill {name!r} is used by {users}; change those first")


def _time_order(start: str, end: str) -> list[Issue]:
    if end > start:  # both HH:MM, so text order is time order
        return []
    return [(("end",), f"expected an end after the start {start}, found {end}")]


def _validate_availability(
    session: Session, dataset: Dataset, body: AvailabilityBody, current: DatasetItem | None
) -> Stored:
    issues = _known(session, dataset, VolunteerRecord, body.volunteer_id, "volunteer_id")
    if (body.date is None) == (body.weekday is None):
        found = "neither" if body.date is None else "both"
        issues.append((("date",), f"expected exactly one of date and weekday, found {found}"))
    if body.date is not None:
        issues += _inside_horizon(dataset, body.date, "date")
    issues += _time_order(body.start, body.end)
    _check(issues)
    return Stored.of(body.to_domain())


def _validate_blackout(
    session: Session, dataset: Dataset, body: BlackoutBody, current: DatasetItem | None
) -> Stored:
    issues = _known(session, dataset, VolunteerRecord, body.volunteer_id, "volunteer_id")
    issues += _inside_horizon(dataset, body.date, "date")
    _check(issues)
    return Stored.of(body.to_domain())


def _validate_pair(
    session: Session, dataset: Dataset, body: PairBody, current: DatasetItem | None
) -> Stored:
    issues = _known(session, dataset, VolunteerRecord, body.volunteer_id, "volunteer_id")
    if (body.need_id is None) == (body.household_id is None):
        found = "neither" if body.need_id is None else "both"
        issues.append(
            (("need_id",), f"expected exactly one of need_id and household_id, found {found}")
        )
    issues += _known(session, dataset, NeedRecord, body.need_id, "need_id")
    issues += _known(session, dataset, HouseholdRecord, body.household_id, "household_id")
    _check(issues)
    return Stored.of(body.to_domain())


def _validate_pin(
    session: Session, dataset: Dataset, body: PinBody, current: DatasetItem | None
) -> Stored:
    issues = _known(session, dataset, VolunteerRecord, body.volunteer_id, "volunteer_id")
    issues += _known(session, dataset, NeedRecord, body.need_id, "need_id")
    _check(issues)
    pin = body.to_domain()
    _duplicate(
        session,
        dataset,
        PINS,
        current,
        [DatasetItem.volunteer_id == pin.volunteer_id, DatasetItem.need_id == pin.need_id],
        f"the pin of volunteer {pin.volunteer_id} on need {pin.need_id}",
    )
    if pin.start is not None:
        data = session.scalar(
            select(NeedRecord.data).where(
                NeedRecord.dataset_id == dataset.id, NeedRecord.entity_id == pin.need_id
            )
        )
        need = from_json(Need, data)
        if not need.is_flexible:
            issues.append(
                (
                    ("start",),
                    f"expected no start: need {need.id} is not flexible (its time is fixed "
                    f"or it is untimed), found {format_minutes(pin.start)}",
                )
            )
        elif not need.start <= pin.start <= need.latest_start:  # type: ignore[operator]
            issues.append(
                (
                    ("start",),
                    f"expected a start from {format_minutes(need.start)} to "
                    f"{format_minutes(need.latest_start)} for need {need.id}, "
                    f"found {format_minutes(pin.start)}",
                )
            )
    _check(issues)
    return Stored.of(pin)


def _validate_history(
    session: Session, dataset: Dataset, body: HistoryBody, current: DatasetItem | None
) -> Stored:
    # as in the upload: the need is free text (it may be long gone), the date any date
    issues = _known(session, dataset, VolunteerRecord, body.volunteer_id, "volunteer_id")
    issues += _known(session, dataset, HouseholdRecord, body.household_id, "household_id")
    _check(issues)
    return Stored.of(body.to_domain())


def _validate_travel(
    session: Session, dataset: Dataset, body: TravelBody, current: DatasetItem | None
) -> Stored:
    route = [
        DatasetItem.data["origin"].as_string() == body.origin,
        DatasetItem.data["destination"].as_string() == body.destination,
    ]
    _duplicate(
        session, dataset, TRAVEL, current, route, f"travel {body.origin} -> {body.destination}"
    )
    return Stored.of(body.to_domain())


# --------------------------------------------------------------------------- list filters


def _json_text(field: str, value: str | None) -> list[ColumnElement[bool]]:
    return [] if value is None else [DatasetItem.data[field].as_string() == value]


def _refs(
    volunteer_id: str | None = None,
    need_id: str | None = None,
    household_id: str | None = None,
    date: dt.date | None = None,
) -> Filters:
    where: Filters = []
    if volunteer_id is not None:
        where.append(DatasetItem.volunteer_id == volunteer_id)
    if need_id is not None:
        where.append(DatasetItem.need_id == need_id)
    if household_id is not None:
        where.append(DatasetItem.household_id == household_id)
    return where + _json_text("date", date.isoformat() if date else None)


def _name_filters(name: NameFilter = None) -> Filters:
    return _json_text("name", name)


def _availability_filters(
    volunteer_id: IdFilter = None,
    date: Annotated[dt.date | None, Query(description="windows dated this day")] = None,
    weekday: Annotated[
        int | None, Query(ge=1, le=7, description="weekly windows of this weekday (1 Monday)")
    ] = None,
) -> Filters:
    where = _refs(volunteer_id=volunteer_id, date=date)
    if weekday is not None:
        where.append(DatasetItem.data["weekday"].as_integer() == weekday)
    return where


def _blackout_filters(volunteer_id: IdFilter = None, date: DateFilter = None) -> Filters:
    return _refs(volunteer_id=volunteer_id, date=date)


def _pair_filters(
    volunteer_id: IdFilter = None, need_id: IdFilter = None, household_id: IdFilter = None
) -> Filters:
    return _refs(volunteer_id=volunteer_id, need_id=need_id, household_id=household_id)


def _pin_filters(volunteer_id: IdFilter = None, need_id: IdFilter = None) -> Filters:
    return _refs(volunteer_id=volunteer_id, need_id=need_id)


def _history_filters(
    volunteer_id: IdFilter = None,
    need_id: IdFilter = None,
    household_id: IdFilter = None,
    date: DateFilter = None,
) -> Filters:
    return _refs(volunteer_id, need_id, household_id, date)


def _travel_filters(
    origin: NameFilter = None,
    destination: NameFilter = None,
) -> Filters:
    return _json_text("origin", origin) + _json_text("destination", destination)


# --------------------------------------------------------------------------- the kinds


DEPARTMENTS = Kind(
    name="departments",
    a_row="a department",
    rows="departments",
    one="department",
    body=DepartmentBody,
    row=DepartmentRow,
    filters=_name_filters,
    validate=_validate_department,
    on_delete=_department_in_use,
    about="College departments (二级学院) volunteers belong to and needs may ask for, with "
    "the need categories each suits. Names are unique; one still used by a volunteer or a "
    "need cannot be renamed or deleted (409).",
)
SKILLS = Kind(
    name="skills",
    a_row="a skill",
    rows="skills",
    one="skill",
    body=SkillBody,
    row=SkillRow,
    filters=_name_filters,
    validate=_validate_skill,
    on_delete=_skill_in_use,
    about="The dataset's skills list. When it has names, every skill of a volunteer or "
    "need must be listed (without a list any name goes). Names are unique; one still used "
    "cannot be renamed or deleted (409).",
)
AVAILABILITY = Kind(
    name="availability",
    a_row="an availability window",
    rows="availability windows",
    one="availability",
    body=AvailabilityBody,
    row=AvailabilityRow,
    filters=_availability_filters,
    validate=_validate_availability,
    checks_pins=True,
    about="When volunteers can serve: a window on a date of the horizon, or every week on "
    "a weekday (on service days). Filter by volunteer, date or weekday.",
)
BLACKOUTS = Kind(
    name="blackouts",
    a_row="a blackout date",
    rows="blackout dates",
    one="blackout",
    body=BlackoutBody,
    row=BlackoutRow,
    filters=_blackout_filters,
    validate=_validate_blackout,
    checks_pins=True,
    about="Whole dates of the horizon on which a volunteer cannot serve. Filter by "
    "volunteer or date.",
)
PAIRS = Kind(
    name="pairs",
    a_row="a pair",
    rows="pairs",
    one="pair",
    body=PairBody,
    row=PairRow,
    filters=_pair_filters,
    validate=_validate_pair,
    checks_pins=True,
    about="What the coordinator knows about a volunteer with a need or a household: "
    "affinity, forbidden, extra travel minutes. Filter by volunteer, need or household.",
)
PINS = Kind(
    name="pins",
    a_row="a pin",
    rows="pins",
    one="pin",
    body=PinBody,
    row=PinRow,
    filters=_pin_filters,
    validate=_validate_pin,
    checks_pins=True,
    about="Assignments the solver must keep, once per volunteer and need; a pin the solver "
    "would refuse (skills, availability, forbidden pair, budget ...) is refused with the "
    "reason. Filter by volunteer or need.",
)
HISTORY = Kind(
    name="history",
    a_row="a history row",
    rows="history rows",
    one="history",
    body=HistoryBody,
    row=HistoryRow,
    filters=_history_filters,
    validate=_validate_history,
    about="Past assignments with attendance, read for continuity and fairness. Rows with a "
    "`roster_id` were written by publishing that roster and are replaced when a later "
    "roster is published. Filter by volunteer, need, household or date.",
)
TRAVEL = Kind(
    name="travel",
    a_row="a travel time",
    rows="travel times",
    one="travel",
    body=TravelBody,
    row=TravelRow,
    filters=_travel_filters,
    validate=_validate_travel,
    # a volunteer's reach from home (max_travel) is read off the travel times
    checks_pins=True,
    pins_of_all=True,
    about="Travel minutes between places (a need's location, else its area), once per "
    "origin and destination. Filter by origin or destination.",
)
KINDS = (DEPARTMENTS, SKILLS, AVAILABILITY, BLACKOUTS, PAIRS, PINS, HISTORY, TRAVEL)


# --------------------------------------------------------------------------- the routes


def _out(row: DatasetItem) -> dict[str, Any]:
    """Answer body of a stored row: its id and JSON, times of day as ``HH:MM``."""
    data: dict[str, Any] = {"id": row.id, **row.data}
    for field in ("start", "end"):
        if isinstance(data.get(field), int):
            data[field] = format_minutes(data[field])
    if row.kind == "history":
        data["roster_id"] = row.roster_id
    return data


def _find(session: Session, kind: Kind, dataset_id: int, item_id: int) -> DatasetItem:
    row = session.get(DatasetItem, item_id)
    if row is None or row.dataset_id != dataset_id or row.kind != kind.name:
        get_dataset(session, dataset_id)
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no {kind.one} row {item_id} in dataset {dataset_id}"
        )
    return row


def _commit(session: Session, what: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _conflict(f"{what} clashes with a stored row") from exc


def _affected(kind: Kind, *volunteer_ids: str | None) -> set[str] | None:
    """Whose pins a write of ``kind`` can change (None: everyone's)."""
    return None if kind.pins_of_all else {v for v in volunteer_ids if v}


def _write(
    session: Session,
    key: ApiKey,
    kind: Kind,
    dataset: Dataset,
    body: RowBody,
    current: DatasetItem | None,
) -> DatasetItem:
    """Create (``current`` None) or replace a row: checks, pins, audit, commit."""
    stored = kind.validate(session, dataset, body, current)
    volunteers = _affected(kind, stored.volunteer_id, current and current.volunteer_id)
    before = pin_refusals(session, dataset, volunteers) if kind.checks_pins else {}
    if current is None:
        last = session.scalar(
            select(func.max(DatasetItem.position)).where(
                DatasetItem.dataset_id == dataset.id, DatasetItem.kind == kind.name
            )
        )
        row = DatasetItem(dataset_id=dataset.id, kind=kind.name, position=(last or 0) + 1)
        session.add(row)
        changed: list[str] = []
    else:
        row = current
        changed = sorted(
            k for k in {*row.data, *stored.data} if row.data.get(k) != stored.data.get(k)
        )
    row.data = stored.data
    row.volunteer_id = stored.volunteer_id
    row.need_id = stored.need_id
    row.household_id = stored.household_id
    session.flush()
    if kind.checks_pins:
        written = (stored.volunteer_id or "", stored.need_id or "") if kind is PINS else None
        refuse_broken_pins(session, dataset, volunteers, before, written)
    touch(session, dataset.id)
    target = f"dataset:{dataset.id}/{kind.one}:{row.id}"
    if current is None:
        audit(session, key, f"{kind.one}.create", target)
    else:
        audit(session, key, f"{kind.one}.update", target, changed=changed)
    _commit(session, target)
    return row


def _check_body_id(body: RowBody, item_id: int | None) -> None:
    if item_id is None and body.id is not None:
        raise unprocessable([(("id",), f"expected no id: the server gives one, found {body.id}")])
    if item_id is not None and body.id is not None and body.id != item_id:
        raise unprocessable(
            [(("id",), f"expected the id in the path {item_id} or none, found {body.id}")]
        )


def _add_routes(kind: Kind) -> None:
    """The five routes of one kind of row."""
    body_type = kind.body
    collection = f"/{kind.name}"
    item = f"/{kind.name}/{{item_id}}"

    def list_rows(
        dataset_id: DatasetId,
        session: SessionDep,
        key: Reader,
        where: Annotated[Filters, Depends(kind.filters)],
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> JSONResponse:
        dataset = get_dataset(session, dataset_id)
        total = session.scalar(
            select(func.count()).select_from(_items(dataset, kind.name, *where).subquery())
        )
        rows = session.scalars(
            _items(dataset, kind.name, *where)
            .order_by(DatasetItem.position, DatasetItem.id)
            .offset(offset)
            .limit(limit)
        )
        items = [_out(row) for row in rows]
        return JSONResponse({"items": items, "total": total or 0, "offset": offset, "limit": limit})

    def read_row(
        dataset_id: DatasetId, item_id: ItemId, session: SessionDep, key: Reader
    ) -> JSONResponse:
        return JSONResponse(_out(_find(session, kind, dataset_id, item_id)))

    def create_row(
        dataset_id: DatasetId,
        body: body_type,  # type: ignore[valid-type]
        session: SessionDep,
        key: Writer,
    ) -> JSONResponse:
        _check_body_id(body, None)
        dataset = get_dataset(session, dataset_id)
        row = _write(session, key, kind, dataset, body, None)
        return JSONResponse(_out(row), status_code=status.HTTP_201_CREATED)

    def replace_row(
        dataset_id: DatasetId,
        item_id: ItemId,
        body: body_type,  # type: ignore[valid-type]
        session: SessionDep,
        key: Writer,
    ) -> JSONResponse:
        _check_body_id(body, item_id)
        dataset = get_dataset(session, dataset_id)
        current = _find(session, kind, dataset_id, item_id)
        return JSONResponse(_out(_write(session, key, kind, dataset, body, current)))

    def delete_row(
        dataset_id: DatasetId, item_id: ItemId, session: SessionDep, key: Writer
    ) -> DeleteReport:
        dataset = get_dataset(session, dataset_id)
        row = _find(session, kind, dataset_id, item_id)
        if kind.on_delete is not None:
            kind.on_delete(session, dataset, row)
        volunteers = _affected(kind, row.volunteer_id)
        before = pin_refusals(session, dataset, volunteers) if kind.checks_pins else {}
        data = row.data
        session.delete(row)
        session.flush()
        if kind.checks_pins:
            refuse_broken_pins(session, dataset, volunteers, before, None)
        touch(session, dataset_id)
        target = f"dataset:{dataset_id}/{kind.one}:{item_id}"
        # the row has no other record: keep it in the audit log, so a delete can be undone
        audit(session, key, f"{kind.one}.delete", target, row=data)
        _commit(session, target)
        return DeleteReport(deleted=target)

    router.add_api_route(
        collection,
        list_rows,
        methods=["GET"],
        name=f"list_{kind.name}",
        summary=f"List {kind.rows}",
        description=f"{kind.about}\n\nPaged, in upload order (added rows last).",
        response_model=Page[kind.row],  # type: ignore[name-defined]
        responses=READ_RESPONSES,
    )
    router.add_api_route(
        item,
        read_row,
        methods=["GET"],
        name=f"read_{kind.one}",
        summary=f"Get {kind.a_row}",
        description=f"{kind.about}\n\nThe row by its id (the id a list answers).",
        response_model=kind.row,
        responses=READ_RESPONSES,
    )
    router.add_api_route(
        collection,
        create_row,
        methods=["POST"],
        name=f"create_{kind.one}",
        summary=f"Add {kind.a_row}",
        description=f"{kind.about}\n\nChecked as an upload checks it; answers the stored row "
        "with its new id. Coordinators and admins only; written to the audit log.",
        status_code=status.HTTP_201_CREATED,
        response_model=kind.row,
        responses=WRITE_RESPONSES,
    )
    router.add_api_route(
        item,
        replace_row,
        methods=["PUT"],
        name=f"replace_{kind.one}",
        summary=f"Replace {kind.a_row}",
        description=f"{kind.about}\n\nThe whole row is replaced (it keeps its id and place in "
        "the order) and checked as an upload checks it. Coordinators and admins only; "
        "written to the audit log with the fields that changed.",
        response_model=kind.row,
        responses=WRITE_RESPONSES,
    )
    router.add_api_route(
        item,
        delete_row,
        methods=["DELETE"],
        name=f"delete_{kind.one}",
        summary=f"Delete {kind.a_row}",
        description=f"{kind.about}\n\nCoordinators and admins only; the deleted row is kept "
        "in the audit log.",
        response_model=DeleteReport,
        responses={**AUTH, **NOT_FOUND, **CONFLICT},
    )


for _kind in KINDS:
    _add_routes(_kind)
