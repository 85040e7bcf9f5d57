"""Volunteers, households and needs of a dataset: list with paging and filters,
get, create, replace and delete.

Reads answer every role, with phone numbers, addresses and household notes
masked for viewers; writes need a coordinator or admin, are checked against
the dataset (known departments and skills, households, the horizon, timing)
and are written to the audit log.

A replace that would make a stored pin impossible (a volunteer losing a skill
or a department the need asks for, a need moved to a date the volunteer is not
free, a household moved out of a volunteer's reach ...) answers 409 naming the
pin and the rule, as the record routes do (:mod:`api.pins`); pins the solver
refused already before the change do not block it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, audit, can_see_personal_data
from api.masking import mask_address, mask_phone
from api.pins import pin_refusals, refuse_broken_pins
from api.routes.common import AUTH, NOT_FOUND, DatasetId, get_dataset
from api.schemas import (
    DeleteReport,
    ErrorMessage,
    HouseholdModel,
    NeedModel,
    Page,
    VolunteerModel,
    entity_json,
)
from api.store.datasets import household_record, need_record, touch, volunteer_record
from api.store.models import (
    ApiKey,
    Dataset,
    DatasetItem,
    HouseholdRecord,
    NeedRecord,
    VolunteerRecord,
)
from api.store.serialize import from_json
from api.validation import (
    DatasetContext,
    Issue,
    household_issues,
    need_issues,
    unprocessable,
    volunteer_issues,
)
from matcher.domain import HouseholdCategory, Need, NeedCategory

router = APIRouter(prefix="/datasets/{dataset_id}", tags=["volunteers, households, needs"])

NO_NUL = r"^[^\x00]*$"
EntityPath = Annotated[str, Path(min_length=1, max_length=100, pattern=NO_NUL)]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Clashes with what is stored"}
}
WRITE_RESPONSES = {**AUTH, **NOT_FOUND, **CONFLICT}
Model = type[VolunteerRecord] | type[HouseholdRecord] | type[NeedRecord]


def _context(session: Session, dataset: Dataset) -> DatasetContext:
    items: dict[str, list[str]] = {"departments": [], "skills": []}
    for kind, data in session.execute(
        select(DatasetItem.kind, DatasetItem.data).where(
            DatasetItem.dataset_id == dataset.id, DatasetItem.kind.in_(tuple(items))
        )
    ):
        items[kind].append(data["name"])
    households = dict(
        session.execute(
            select(HouseholdRecord.entity_id, HouseholdRecord.data["area"].as_string()).where(
                HouseholdRecord.dataset_id == dataset.id
            )
        ).all()
    )
    return DatasetContext(
        departments=frozenset(items["departments"]),
        skills=frozenset(items["skills"]) or None,
        households={k: v or "" for k, v in households.items()},
        horizon_start=dt.date.fromisoformat(dataset.horizon["start"]),
        horizon_end=dt.date.fromisoformat(dataset.horizon["end"]),
    )


def _shown(data: dict[str, Any], key: ApiKey) -> dict[str, Any]:
    """The entity as this key may see it."""
    if can_see_personal_data(key):
        return data
    data = dict(data)
    if data.get("phone"):
        data["phone"] = mask_phone(data["phone"])
    if data.get("address"):
        data["address"] = mask_address(data["address"])
    if data.get("notes"):
        data["notes"] = "****"  # free text about residents: names, ages, health
    return data


def _out(model: Model, data: dict[str, Any], key: ApiKey) -> dict[str, Any]:
    if model is NeedRecord:
        data = entity_json(from_json(Need, data))
    return _shown(data, key)


def _page(
    session: Session,
    model: Model,
    dataset_id: int,
    filters: list[ColumnElement[bool]],
    offset: int,
    limit: int,
    key: ApiKey,
) -> JSONResponse:
    get_dataset(session, dataset_id)
    where = [model.dataset_id == dataset_id, *filters]
    total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    rows = session.scalars(
        select(model.data).where(*where).order_by(model.position).offset(offset).limit(limit)
    )
    items = [_out(model, data, key) for data in rows]
    return JSONResponse({"items": items, "total": total, "offset": offset, "limit": limit})


def _find(session: Session, model: Model, dataset_id: int, entity_id: str) -> Any:
    record = session.scalar(
        select(model).where(model.dataset_id == dataset_id, model.entity_id == entity_id)
    )
    if record is None:
        get_dataset(session, dataset_id)
        kind = model.__tablename__.rstrip("s")
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no {kind} {entity_id!r} in dataset {dataset_id}"
        )
    return record


def _next_position(session: Session, model: Model, dataset_id: int) -> int:
    last = session.scalar(select(func.max(model.position)).where(model.dataset_id == dataset_id))
    return 0 if last is None else last + 1


def _check(issues: list[Issue]) -> None:
    if issues:
        raise unprocessable(issues)


def _check_path_id(body_id: str, entity_id: str) -> None:
    if body_id != entity_id:
        raise unprocessable(
            [(("id",), f"expected the id in the path {entity_id!r}, found {body_id!r}")]
        )


def _commit(session: Session, what: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, f"{what} clashes with a stored row") from exc


def _create(
    session: Session, key: ApiKey, dataset: Dataset, model: Model, record: Any, kind: str
) -> JSONResponse:
    exists = session.scalar(
        select(model.id).where(model.dataset_id == dataset.id, model.entity_id == record.entity_id)
    )
    if exists is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{kind} {record.entity_id!r} exists; PUT replaces it"
        )
    session.add(record)
    touch(session, dataset.id)
    audit(session, key, f"{kind}.create", f"dataset:{dataset.id}/{kind}:{record.entity_id}")
    _commit(session, f"{kind} {record.entity_id!r}")
    return JSONResponse(_out(model, record.data, key), status_code=status.HTTP_201_CREATED)


def _pinned_by(session: Session, dataset_id: int, model: Model, entity_id: str) -> set[str]:
    """Volunteers whose pins a replace of this entity can make impossible.

    The solver's per-pair rules read the pinned volunteer, the pinned need and
    the need's household (its area, for travel from home), nothing of other
    volunteers or needs; so only pins that touch the entity can break.
    """
    if model is VolunteerRecord:
        return {entity_id}
    pins = select(DatasetItem.volunteer_id).where(
        DatasetItem.dataset_id == dataset_id, DatasetItem.kind == "pins"
    )
    if model is NeedRecord:
        pins = pins.where(DatasetItem.need_id == entity_id)
    else:
        pins = pins.where(
            DatasetItem.need_id.in_(
                select(NeedRecord.entity_id).where(
                    NeedRecord.dataset_id == dataset_id, NeedRecord.household_id == entity_id
                )
            )
        )
    return {volunteer_id for volunteer_id in session.scalars(pins) if volunteer_id}


def _replace(
    session: Session, key: ApiKey, dataset: Dataset, model: Model, new: Any, kind: str
) -> JSONResponse:
    old = _find(session, model, dataset.id, new.entity_id)
    previous = old.data
    pinned = _pinned_by(session, dataset.id, model, new.entity_id)
    refused_before = pin_refusals(session, dataset, pinned)
    for column in model.__table__.columns.keys():  # noqa: SIM118 - names, not columns
        if column not in ("id", "dataset_id", "position", "entity_id"):
            setattr(old, column, getattr(new, column))
    # the pins are checked on the flushed change, and before the dataset is touched and
    # the audit written, so a refusal rolls back all of it
    session.flush()
    refuse_broken_pins(session, dataset, pinned, refused_before)
    touch(session, dataset.id)
    audit(
        session,
        key,
        f"{kind}.update",
        f"dataset:{dataset.id}/{kind}:{new.entity_id}",
        changed=sorted(k for k in new.data if previous.get(k) != new.data.get(k)),
    )
    _commit(session, f"{kind} {new.entity_id!r}")
    return JSONResponse(_out(model, old.data, key))


def _remove_items(
    session: Session, dataset_id: int, where: list[ColumnElement[bool]]
) -> dict[str, int]:
    removed: dict[str, int] = {}
    condition = [DatasetItem.dataset_id == dataset_id, *where]
    for kind, count in session.execute(
        select(DatasetItem.kind, func.count()).where(*condition).group_by(DatasetItem.kind)
    ):
        removed[kind] = count
    session.execute(delete(DatasetItem).where(*condition))
    return removed


def _delete(
    session: Session,
    key: ApiKey,
    dataset_id: int,
    model: Model,
    entity_id: str,
    kind: str,
    cascade: list[ColumnElement[bool]],
) -> DeleteReport:
    record = _find(session, model, dataset_id, entity_id)
    # No pin check: a delete cannot make a remaining pin impossible.  A volunteer or a
    # need goes with its pins and with the rows only those pins read (the volunteer's
    # availability, blackouts and pairs; the need's pairs).  delete_household refuses a
    # household while needs refer to it, and its pairs only forbid or add travel minutes,
    # so removing them can only loosen the rules.
    removed = _remove_items(session, dataset_id, cascade)
    session.delete(record)
    touch(session, dataset_id)
    target = f"dataset:{dataset_id}/{kind}:{entity_id}"
    audit(session, key, f"{kind}.delete", target, removed=removed)
    _commit(session, target)
    return DeleteReport(deleted=target, removed=removed)


# --------------------------------------------------------------------------- volunteers


@router.get(
    "/volunteers",
    summary="List volunteers",
    description="Paged, in upload order; filter by department and skill. "
    "Phone numbers are masked for viewers.",
    response_model=Page[VolunteerModel],
    responses={**AUTH, **NOT_FOUND},
)
def list_volunteers(
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    department: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    skill: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="has this skill")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> JSONResponse:
    filters: list[ColumnElement[bool]] = []
    if department is not None:
        filters.append(VolunteerRecord.department == department)
    if skill is not None:
        filters.append(VolunteerRecord.skills.contains(f";{skill};", autoescape=True))
    return _page(session, VolunteerRecord, dataset_id, filters, offset, limit, key)


@router.get(
    "/volunteers/{volunteer_id}",
    summary="Get a volunteer",
    response_model=VolunteerModel,
    responses={**AUTH, **NOT_FOUND},
)
def read_volunteer(
    dataset_id: DatasetId, volunteer_id: EntityPath, session: SessionDep, key: Reader
) -> JSONResponse:
    record = _find(session, VolunteerRecord, dataset_id, volunteer_id)
    return JSONResponse(_out(VolunteerRecord, record.data, key))


@router.post(
    "/volunteers",
    summary="Add a volunteer",
    status_code=status.HTTP_201_CREATED,
    response_model=VolunteerModel,
    responses=WRITE_RESPONSES,
)
def create_volunteer(
    dataset_id: DatasetId, body: VolunteerModel, session: SessionDep, key: Writer
) -> JSONResponse:
    dataset = get_dataset(session, dataset_id)
    _check(volunteer_issues(body, _context(session, dataset)))
    position = _next_position(session, VolunteerRecord, dataset_id)
    record = volunteer_record(dataset_id, position, body.to_domain())
    return _create(session, key, dataset, VolunteerRecord, record, "volunteer")


@router.put(
    "/volunteers/{volunteer_id}",
    summary="Replace a volunteer",
    response_model=VolunteerModel,
    responses=WRITE_RESPONSES,
)
def replace_volunteer(
    dataset_id: DatasetId,
    volunteer_id: EntityPath,
    body: VolunteerModel,
    session: SessionDep,
    key: Writer,
) -> JSONResponse:
    _check_path_id(body.id, volunteer_id)
    dataset = get_dataset(session, dataset_id)
    _check(volunteer_issues(body, _context(session, dataset)))
    record = volunteer_record(dataset_id, 0, body.to_domain())
    return _replace(session, key, dataset, VolunteerRecord, record, "volunteer")


@router.delete(
    "/volunteers/{volunteer_id}",
    summary="Delete a volunteer",
    description="Also deletes the volunteer's availability, blackouts, pairs, pins and history.",
    responses=WRITE_RESPONSES,
)
def delete_volunteer(
    dataset_id: DatasetId, volunteer_id: EntityPath, session: SessionDep, key: Writer
) -> DeleteReport:
    cascade = [DatasetItem.volunteer_id == volunteer_id]
    return _delete(session, key, dataset_id, VolunteerRecord, volunteer_id, "volunteer", cascade)


# --------------------------------------------------------------------------- households


@router.get(
    "/households",
    summary="List households",
    description="Paged; filter by category. Addresses and notes are masked for viewers.",
    response_model=Page[HouseholdModel],
    responses={**AUTH, **NOT_FOUND},
)
def list_households(
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    category: HouseholdCategory | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> JSONResponse:
    filters = [HouseholdRecord.category == category.value] if category else []
    return _page(session, HouseholdRecord, dataset_id, filters, offset, limit, key)


@router.get(
    "/households/{household_id}",
    summary="Get a household",
    response_model=HouseholdModel,
    responses={**AUTH, **NOT_FOUND},
)
def read_household(
    dataset_id: DatasetId, household_id: EntityPath, session: SessionDep, key: Reader
) -> JSONResponse:
    record = _find(session, HouseholdRecord, dataset_id, household_id)
    return JSONResponse(_out(HouseholdRecord, record.data, key))


@router.post(
    "/households",
    summary="Add a household",
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdModel,
    responses=WRITE_RESPONSES,
)
def create_household(
    dataset_id: DatasetId, body: HouseholdModel, session: SessionDep, key: Writer
) -> JSONResponse:
    dataset = get_dataset(session, dataset_id)
    _check(household_issues(body, _context(session, dataset)))
    position = _next_position(session, HouseholdRecord, dataset_id)
    record = household_record(dataset_id, position, body.to_domain())
    return _create(session, key, dataset, HouseholdRecord, record, "household")


@router.put(
    "/households/{household_id}",
    summary="Replace a household",
    response_model=HouseholdModel,
    responses=WRITE_RESPONSES,
)
def replace_household(
    dataset_id: DatasetId,
    household_id: EntityPath,
    body: HouseholdModel,
    session: SessionDep,
    key: Writer,
) -> JSONResponse:
    _check_path_id(body.id, household_id)
    dataset = get_dataset(session, dataset_id)
    _check(household_issues(body, _context(session, dataset)))
    record = household_record(dataset_id, 0, body.to_domain())
    return _replace(session, key, dataset, HouseholdRecord, record, "household")


@router.delete(
    "/households/{household_id}",
    summary="Delete a household",
    description="Also deletes its pairs. Refused (409) while needs or history refer to it.",
    responses=WRITE_RESPONSES,
)
def delete_household(
    dataset_id: DatasetId, household_id: EntityPath, session: SessionDep, key: Writer
) -> DeleteReport:
    _find(session, HouseholdRecord, dataset_id, household_id)
    needs = list(
        session.scalars(
            select(NeedRecord.entity_id).where(
                NeedRecord.dataset_id == dataset_id, NeedRecord.household_id == household_id
            )
        )
    )
    history = session.scalar(
        select(func.count()).where(
            DatasetItem.dataset_id == dataset_id,
            DatasetItem.kind == "history",
            DatasetItem.household_id == household_id,
        )
    )
    if needs or history:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"household {household_id!r} is referred to by needs {needs} and "
            f"{history} history rows; change or delete those first",
        )
    cascade = [DatasetItem.household_id == household_id, DatasetItem.kind == "pairs"]
    return _delete(session, key, dataset_id, HouseholdRecord, household_id, "household", cascade)


# --------------------------------------------------------------------------- needs


@router.get(
    "/needs",
    summary="List needs",
    description="Paged; filter by category, date and household.",
    response_model=Page[NeedModel],
    responses={**AUTH, **NOT_FOUND},
)
def list_needs(
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    category: NeedCategory | None = None,
    date: dt.date | None = None,
    household_id: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> JSONResponse:
    filters: list[ColumnElement[bool]] = []
    if category is not None:
        filters.append(NeedRecord.category == category.value)
    if date is not None:
        filters.append(NeedRecord.date == date)
    if household_id is not None:
        filters.append(NeedRecord.household_id == household_id)
    return _page(session, NeedRecord, dataset_id, filters, offset, limit, key)


@router.get(
    "/needs/{need_id}",
    summary="Get a need",
    response_model=NeedModel,
    responses={**AUTH, **NOT_FOUND},
)
def read_need(
    dataset_id: DatasetId, need_id: EntityPath, session: SessionDep, key: Reader
) -> JSONResponse:
    record = _find(session, NeedRecord, dataset_id, need_id)
    return JSONResponse(_out(NeedRecord, record.data, key))


def _need(session: Session, dataset: Dataset, body: NeedModel) -> Need:
    context = _context(session, dataset)
    issues = need_issues(body, context)
    _check(issues)
    need = body.to_domain(area=context.households.get(body.household_id or "", ""))
    # pins of this need must still fit it (the loader checks the same)
    for data in session.scalars(
        select(DatasetItem.data).where(
            DatasetItem.dataset_id == dataset.id,
            DatasetItem.kind == "pins",
            DatasetItem.need_id == need.id,
        )
    ):
        start = data.get("start")
        if start is not None and (
            not need.is_flexible or not need.start <= start <= need.latest_start  # type: ignore[operator]
        ):
            issues.append(
                (
                    ("start",),
                    f"a pin of volunteer {data['volunteer_id']} starts this need at "
                    f"minute {start}, outside the new window; change the pin first",
                )
            )
    _check(issues)
    return need


@router.post(
    "/needs",
    summary="Add a need",
    status_code=status.HTTP_201_CREATED,
    response_model=NeedModel,
    responses=WRITE_RESPONSES,
)
def create_need(
    dataset_id: DatasetId, body: NeedModel, session: SessionDep, key: Writer
) -> JSONResponse:
    dataset = get_dataset(session, dataset_id)
    need = _need(session, dataset, body)
    record = need_record(dataset_id, _next_position(session, NeedRecord, dataset_id), need)
    return _create(session, key, dataset, NeedRecord, record, "need")


@router.put(
    "/needs/{need_id}",
    summary="Replace a need",
    response_model=NeedModel,
    responses=WRITE_RESPONSES,
)
def replace_need(
    dataset_id: DatasetId, need_id: EntityPath, body: NeedModel, session: SessionDep, key: Writer
) -> JSONResponse:
    _check_path_id(body.id, need_id)
    dataset = get_dataset(session, dataset_id)
    record = need_record(dataset_id, 0, _need(session, dataset, body))
    return _replace(session, key, dataset, NeedRecord, record, "need")


@router.delete(
    "/needs/{need_id}",
    summary="Delete a need",
    description="Also deletes its pairs and pins (history keeps its own record of the need).",
    responses=WRITE_RESPONSES,
)
def delete_need(
    dataset_id: DatasetId, need_id: EntityPath, session: SessionDep, key: Writer
) -> DeleteReport:
    cascade = [DatasetItem.need_id == need_id, DatasetItem.kind.in_(("pairs", "pins"))]
    return _delete(session, key, dataset_id, NeedRecord, need_id, "need", cascade)
