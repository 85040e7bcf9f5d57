"""Checks of a written row against its dataset, per kind: what the upload checks.

Each check takes the body of a create or replace (and the row it replaces,
None on create) and gives the domain row to store, or refuses: 422 with the
field path for bad values (:func:`api.validation.unprocessable`), 409 for a
clash with what is stored (a duplicate, a rename of a department still in
use).  The wording is the loader's (:mod:`matcher.io`), so an upload and an
edit explain a bad reference alike.  The queries are :mod:`api.store.rows`'.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.record_schemas import (
    AvailabilityBody,
    BlackoutBody,
    DepartmentBody,
    HistoryBody,
    PairBody,
    PinBody,
    SkillBody,
    TravelBody,
)
from api.schemas import HouseholdModel, NeedModel, VolunteerModel
from api.store import rows
from api.store.models import Dataset, DatasetItem
from api.store.serialize import from_json
from api.validation import Issue, placed, unprocessable
from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Department,
    HistoryEntry,
    Horizon,
    Household,
    Need,
    Pair,
    Pin,
    Travel,
    Volunteer,
)
from matcher.i18n import _
from matcher.validate import (
    Catalogue,
    Finding,
    availability_findings,
    blackout_findings,
    history_findings,
    household_findings,
    need_findings,
    pair_findings,
    pin_findings,
    volunteer_findings,
)

T = TypeVar("T")
FindingsOf = Callable[[Any, Catalogue], list[Finding]]
"""One of :mod:`matcher.validate`'s item rules."""

# --------------------------------------------------------------------------- shared


def check(issues: list[Issue]) -> None:
    """422 when there are issues."""
    if issues:
        raise unprocessable(issues)


def conflict(message: str) -> HTTPException:
    """A 409: the write clashes with what is stored."""
    return HTTPException(status.HTTP_409_CONFLICT, message)


def _horizon(dataset: Dataset) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(dataset.horizon["start"]), dt.date.fromisoformat(
        dataset.horizon["end"]
    )


def catalogue(
    session: Session,
    dataset: Dataset,
    *,
    volunteers: tuple[str | None, ...] = (),
    households: tuple[str | None, ...] = (),
    needs: tuple[str | None, ...] = (),
) -> Catalogue:
    """What a body is checked against, for the ids it names (each looked up once).

    The dataset's names and horizon in full; of its volunteers, households and
    needs only those the body refers to, as found in the store, so a check
    costs a few lookups rather than reading every id of a large dataset.
    """
    start, end = _horizon(dataset)

    def stored(table: rows.EntityTable, ids: tuple[str | None, ...]) -> frozenset[str]:
        return frozenset(i for i in ids if i and rows.is_stored(session, table, dataset.id, i))

    return Catalogue(
        horizon=Horizon(start, end, service_days=()),
        departments=frozenset(rows.names(session, dataset.id, "departments")),
        skills=frozenset(rows.names(session, dataset.id, "skills")) or None,
        volunteers=stored(rows.VOLUNTEERS, volunteers),
        households=stored(rows.HOUSEHOLDS, households),
        needs={
            need_id: from_json(Need, data)
            for need_id in stored(rows.NEEDS, needs)
            for _unused, data in rows.need_data(session, dataset.id, need_id)
        },
    )


def _duplicate(
    session: Session,
    dataset: Dataset,
    kind: str,
    current: DatasetItem | None,
    match: rows.Criteria,
    what: str,
) -> None:
    """409 when another row of ``kind`` matches ``match`` (the upload refuses duplicates)."""
    other = rows.same_item(session, dataset.id, kind, match, current.id if current else None)
    if other is not None:
        raise conflict(
            _("{what} is already row {row}; PUT {url} replaces it").format(
                what=what, row=other.id, url=f"/datasets/{dataset.id}/{kind}/{other.id}"
            )
        )


def _some(ids: list[str], limit: int = 5) -> str:
    shown = _(", ").join(ids[:limit])
    if len(ids) > limit:
        return _("{shown} and {count} more").format(shown=shown, count=len(ids) - limit)
    return shown


def _users(volunteers: list[str], needs: list[str]) -> str:
    if volunteers and needs:
        return _("volunteers {volunteers} and needs {needs}").format(
            volunteers=_some(volunteers), needs=_some(needs)
        )
    if volunteers:
        return _("volunteers {volunteers}").format(volunteers=_some(volunteers))
    if needs:
        return _("needs {needs}").format(needs=_some(needs))
    return ""


# ------------------------------------------------------------- volunteers, households, needs


def check_volunteer(
    session: Session, dataset: Dataset, body: VolunteerModel, current: Any
) -> Volunteer:
    """A volunteer body as stored: known department and skills, a home for max_travel."""
    volunteer = body.to_domain()
    check(placed(volunteer_findings(volunteer, catalogue(session, dataset))))
    return volunteer


def check_household(
    session: Session, dataset: Dataset, body: HouseholdModel, current: Any
) -> Household:
    """A household body as stored."""
    household = body.to_domain()
    check(placed(household_findings(household, catalogue(session, dataset))))
    return household


def check_need(session: Session, dataset: Dataset, body: NeedModel, current: Any) -> Need:
    """A need body as stored: names, household, horizon and timing, and its pins' starts."""
    known = catalogue(session, dataset, households=(body.household_id,))
    areas = rows.household_areas(session, dataset.id) if body.household_id else {}
    need = body.to_domain(area=areas.get(body.household_id or "", ""))
    check(placed(need_findings(need, known)))
    # pins of this need must still fit it (the loader checks the same)
    issues: list[Issue] = []
    moved = dataclasses.replace(known, needs={need.id: need})
    for data in rows.item_data(session, dataset.id, "pins", {"need_id": need.id}):
        pin = from_json(Pin, data)
        # only the start is in question here: the pin's volunteer and need are stored
        starts = [m for field, m in pin_findings(pin, moved) if field == "start"]
        for message in starts:
            issues.append(
                (
                    ("start",),
                    _(
                        "a pin of volunteer {volunteer} no longer fits: {reason}; "
                        "change the pin first"
                    ).format(volunteer=pin.volunteer_id, reason=message),
                )
            )
    check(issues)
    return need


def household_in_use(session: Session, dataset: Dataset, row: Any) -> None:
    """409 while needs or history rows refer to the household."""
    household_id = row.entity_id
    needs = rows.household_needs(session, dataset.id, household_id)
    history = rows.count_items(session, dataset.id, "history", {"household_id": household_id})
    if needs or history:
        raise conflict(
            _(
                "household {household!r} is referred to by needs {needs} and "
                "{history} history rows; change or delete those first"
            ).format(household=household_id, needs=needs, history=history)
        )


# --------------------------------------------------------------------------- departments, skills


def _department_users(session: Session, dataset: Dataset, name: str) -> str:
    needs = [
        need_id
        for need_id, need in rows.need_data(session, dataset.id)
        if name in need.get("departments", ()) or name in need.get("joint_departments", ())
    ]
    return _users(rows.volunteers_with(session, dataset.id, department=name), needs)


def _skill_users(session: Session, dataset: Dataset, name: str) -> str:
    needs = [
        need_id
        for need_id, need in rows.need_data(session, dataset.id)
        if any(s["name"] == name for s in need.get("skills", ()))
    ]
    return _users(rows.volunteers_with(session, dataset.id, skill=name), needs)


def check_department(
    session: Session, dataset: Dataset, body: DepartmentBody, current: DatasetItem | None
) -> Department:
    """A department: a new name, and no rename of one still in use."""
    match = {"name": body.name}
    what = _("department {name!r}").format(name=body.name)
    _duplicate(session, dataset, "departments", current, match, what)
    if current is not None and current.data["name"] != body.name:
        old = current.data["name"]
        if users := _department_users(session, dataset, old):
            raise conflict(
                _(
                    "department {name!r} is used by {users}; a rename would leave them "
                    "without a listed department (add the new name, move them, then delete)"
                ).format(name=old, users=users)
            )
    return body.to_domain()


def department_in_use(session: Session, dataset: Dataset, row: DatasetItem) -> None:
    """409 while a volunteer or a need names the department."""
    name = row.data["name"]
    if users := _department_users(session, dataset, name):
        raise conflict(
            _("department {name!r} is used by {users}; change those first").format(
                name=name, users=users
            )
        )


def _skills_in_use(session: Session, dataset: Dataset) -> set[str]:
    used = rows.volunteer_skills(session, dataset.id)
    for _unused, data in rows.need_data(session, dataset.id):
        used.update(s["name"] for s in data.get("skills", ()))
    return used


def check_skill(
    session: Session, dataset: Dataset, body: SkillBody, current: DatasetItem | None
) -> str:
    """A skill name: new, no rename of one in use, and no first name that strands others."""
    what = _("skill {name!r}").format(name=body.name)
    _duplicate(session, dataset, "skills", current, {"name": body.name}, what)
    if current is not None and current.data["name"] != body.name:
        old = current.data["name"]
        if users := _skill_users(session, dataset, old):
            raise conflict(
                _(
                    "skill {name!r} is used by {users}; a rename would leave them with a "
                    "skill that is not listed (add the new name, change them, then delete)"
                ).format(name=old, users=users)
            )
    elif current is None and not rows.names(session, dataset.id, "skills"):
        # without a skills list any name goes; the first name makes the list binding
        unlisted = sorted(_skills_in_use(session, dataset) - {body.name})
        if unlisted:
            raise conflict(
                _(
                    "the dataset has no skills list, so any skill name goes; a first skill "
                    "would make the list binding, but {skills} are in use and not "
                    "listed (upload the dataset with the whole skills list instead)"
                ).format(skills=_some(unlisted))
            )
    return body.name


def skill_in_use(session: Session, dataset: Dataset, row: DatasetItem) -> None:
    """409 while a volunteer or a need has the skill (unless it is the list's last)."""
    name = row.data["name"]
    if not rows.names(session, dataset.id, "skills", other_than=row.id):
        return  # the last skill: without a list any name goes, so nothing breaks
    if users := _skill_users(session, dataset, name):
        raise conflict(
            _("skill {name!r} is used by {users}; change those first").format(
                name=name, users=users
            )
        )


# --------------------------------------------------------------------------- a volunteer's rows


def _judged(session: Session, dataset: Dataset, item: T, findings_of: FindingsOf) -> T:
    """``item`` when it keeps the rules against the rows it names, else 422.

    The ids a row refers to are its own ``volunteer_id``, ``need_id`` and
    ``household_id`` fields (whichever it has), so the catalogue looks up
    exactly those.
    """
    known = catalogue(
        session,
        dataset,
        volunteers=(getattr(item, "volunteer_id", None),),
        needs=(getattr(item, "need_id", None),),
        households=(getattr(item, "household_id", None),),
    )
    check(placed(findings_of(item, known)))
    return item


def check_availability(
    session: Session, dataset: Dataset, body: AvailabilityBody, current: DatasetItem | None
) -> AvailabilityWindow:
    """A window: a known volunteer, a date of the horizon or a weekday, times in order."""
    return _judged(session, dataset, body.to_domain(), availability_findings)


def check_blackout(
    session: Session, dataset: Dataset, body: BlackoutBody, current: DatasetItem | None
) -> Blackout:
    """A blackout: a known volunteer on a date of the horizon."""
    return _judged(session, dataset, body.to_domain(), blackout_findings)


def check_pair(
    session: Session, dataset: Dataset, body: PairBody, current: DatasetItem | None
) -> Pair:
    """A pair: a known volunteer with one known need or household."""
    return _judged(session, dataset, body.to_domain(), pair_findings)


def check_pin(
    session: Session, dataset: Dataset, body: PinBody, current: DatasetItem | None
) -> Pin:
    """A pin: known volunteer and need, once per pair, a start inside a flexible need's window."""
    pin = body.to_domain()
    known = catalogue(session, dataset, volunteers=(pin.volunteer_id,), needs=(pin.need_id,))
    findings = pin_findings(pin, known)
    check(placed([f for f in findings if f[0] != "start"]))
    _duplicate(
        session,
        dataset,
        "pins",
        current,
        {"volunteer_id": pin.volunteer_id, "need_id": pin.need_id},
        _("the pin of volunteer {volunteer} on need {need}").format(
            volunteer=pin.volunteer_id, need=pin.need_id
        ),
    )
    check(placed(findings))
    return pin


def check_history(
    session: Session, dataset: Dataset, body: HistoryBody, current: DatasetItem | None
) -> HistoryEntry:
    """A history row: a known volunteer and (if given) household."""
    # as in the upload: the need is free text (it may be long gone), the date any date;
    # history_findings asks nothing of the need, so looking it up costs one query only
    return _judged(session, dataset, body.to_domain(), history_findings)


def check_travel(
    session: Session, dataset: Dataset, body: TravelBody, current: DatasetItem | None
) -> Travel:
    """A travel time: once per origin and destination."""
    route = {"origin": body.origin, "destination": body.destination}
    what = _("travel {origin} -> {destination}").format(
        origin=body.origin, destination=body.destination
    )
    _duplicate(session, dataset, "travel", current, route, what)
    return body.to_domain()
