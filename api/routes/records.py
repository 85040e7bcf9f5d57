"""The dataset's other rows: departments, skills, availability, blackouts, pairs,
pins, history and travel.  For each: list (paged, filtered), get, create,
replace and delete, under ``/datasets/{dataset_id}/<kind>`` (the routes are
:mod:`api.routes.rows`').

These rows live in :class:`~api.store.models.DatasetItem` and have no id of
their own in the spreadsheets, so a row is addressed by its database id
(answered on every read).  A written row is checked as the upload checks it
(:mod:`api.row_checks`, in :mod:`matcher.io`'s words): known volunteers, needs
and households, dates inside the horizon, times in order, one pin per
volunteer and need, unique names and routes.  Bad values answer 422 with the
field path; a row that clashes with what is stored (a duplicate, a rename of
a department still in use, a change that would make a stored pin impossible)
answers 409.  Pins are also checked as the solver checks them
(:mod:`api.pins`), so a pin the solve would refuse is refused here, not in a
failed job.

Reads answer every role; none of these rows holds personal data (phones,
addresses and household notes live on volunteers and households), so nothing
is masked.  Writes need a coordinator or admin, mark the dataset changed and
are written to the audit log.
"""

# No ``from __future__ import annotations``: see api.routes.rows.

from typing import Annotated, Any

from fastapi import Path, Query
from sqlalchemy.orm import Session

from api import row_checks
from api.record_schemas import (
    AvailabilityBody,
    AvailabilityRow,
    BlackoutBody,
    BlackoutRow,
    DateField,
    DepartmentBody,
    DepartmentRow,
    HistoryBody,
    HistoryRow,
    PairBody,
    PairRow,
    PinBody,
    PinRow,
    SkillBody,
    SkillRow,
    TravelBody,
    TravelRow,
)
from api.routes.rows import Check, RowKind, row_router
from api.store.models import Dataset, DatasetItem
from api.store.rows import Criteria, ItemTable
from matcher.domain import format_minutes
from matcher.i18n import N_

NO_NUL = r"^[^\x00]*$"
ItemId = Annotated[int, Path(alias="item_id", ge=1, le=2_147_483_647, description="the row's id")]
IdFilter = Annotated[str | None, Query(min_length=1, max_length=100, pattern=NO_NUL)]
NameFilter = Annotated[str | None, Query(min_length=1, max_length=200, pattern=NO_NUL)]
DateFilter = Annotated[DateField | None, Query(description="rows of this date")]


def _described(about: str) -> dict[str, str]:
    """What each route of a kind says (OpenAPI, for programmers): the kind, then the operation."""
    return {
        "list": f"{about}\n\n"
        "Paged, in upload order (added rows last).",  # i18n: not shown: OpenAPI description
        "read": f"{about}\n\n"
        "The row by its id (the id a list answers).",  # i18n: not shown: OpenAPI description
        "create": f"{about}\n\nChecked as an upload checks it; answers the stored row "
        "with its new id. Coordinators and admins only; "
        "written to the audit log.",  # i18n: not shown: OpenAPI description
        "replace": f"{about}\n\nThe whole row is replaced (it keeps its id and place in "
        "the order) and checked as an upload checks it. Coordinators and admins only; "
        "written to the audit log with the fields that changed.",  # i18n: not shown: OpenAPI
        "delete": f"{about}\n\nCoordinators and admins only; the deleted row is kept "
        "in the audit log.",  # i18n: not shown: OpenAPI description
    }


def _answer(row: DatasetItem) -> dict[str, Any]:
    """Answer body of a stored row: its id and JSON, times of day as ``HH:MM``."""
    data: dict[str, Any] = {"id": row.id, **row.data}
    for field in ("start", "end"):
        if isinstance(data.get(field), int):
            data[field] = format_minutes(data[field])
    if row.kind == "history":
        data["roster_id"] = row.roster_id
    return data


def _their_pins(session: Session, dataset: Dataset, value: Any, current: Any) -> set[str]:
    """The row's volunteer's pins (before and after the change) are at stake."""
    volunteers = (getattr(value, "volunteer_id", None), current and current.volunteer_id)
    return {v for v in volunteers if v}


def _all_pins(session: Session, dataset: Dataset, value: Any, current: Any) -> None:
    """Every volunteer's pins are at stake (their reach from home reads travel times)."""
    return None


# --------------------------------------------------------------------------- list filters


def _name_filters(name: NameFilter = None) -> Criteria:
    return {"name": name}


def _availability_filters(
    volunteer_id: IdFilter = None,
    date: Annotated[DateField | None, Query(description="windows dated this day")] = None,
    weekday: Annotated[
        int | None, Query(ge=1, le=7, description="weekly windows of this weekday (1 Monday)")
    ] = None,
) -> Criteria:
    return {"volunteer_id": volunteer_id, "date": date, "weekday": weekday}


def _blackout_filters(volunteer_id: IdFilter = None, date: DateFilter = None) -> Criteria:
    return {"volunteer_id": volunteer_id, "date": date}


def _pair_filters(
    volunteer_id: IdFilter = None, need_id: IdFilter = None, household_id: IdFilter = None
) -> Criteria:
    return {"volunteer_id": volunteer_id, "need_id": need_id, "household_id": household_id}


def _pin_filters(volunteer_id: IdFilter = None, need_id: IdFilter = None) -> Criteria:
    return {"volunteer_id": volunteer_id, "need_id": need_id}


def _history_filters(
    volunteer_id: IdFilter = None,
    need_id: IdFilter = None,
    household_id: IdFilter = None,
    date: DateFilter = None,
) -> Criteria:
    return {
        "volunteer_id": volunteer_id,
        "need_id": need_id,
        "household_id": household_id,
        "date": date,
    }


def _travel_filters(origin: NameFilter = None, destination: NameFilter = None) -> Criteria:
    return {"origin": origin, "destination": destination}


# --------------------------------------------------------------------------- the kinds


def _kind(
    name: str,
    one: str,
    noun: str,
    a_row: str,
    rows: str,
    models: tuple[type, type],
    filters: Any,
    check: Check,
    description: str,
    **behaviour: Any,
) -> RowKind:
    """A kind of the other sheets: rows of ``DatasetItem`` numbered by the server.

    ``description`` tells programmers what the rows are (OpenAPI), before each route's own.
    """
    body, answer = models
    return RowKind(
        table=ItemTable(name),
        one=one,
        noun=noun,
        a_row=a_row,
        rows=rows,
        body=body,
        answer=answer,
        key=ItemId,
        filters=filters,
        check=check,
        show=_answer,
        descriptions=_described(description),
        **behaviour,
    )


DEPARTMENTS = _kind(
    "departments",
    "department",
    N_("department"),
    "a department",
    "departments",
    (DepartmentBody, DepartmentRow),
    _name_filters,
    row_checks.check_department,
    on_delete=row_checks.department_in_use,
    description="College departments (二级学院) volunteers belong to and needs may ask for, with "
    "the need categories each suits. Names are unique; one still used by a volunteer or a "
    "need cannot be renamed or deleted (409).",
)
SKILLS = _kind(
    "skills",
    "skill",
    N_("skill"),
    "a skill",
    "skills",
    (SkillBody, SkillRow),
    _name_filters,
    row_checks.check_skill,
    on_delete=row_checks.skill_in_use,
    description="The dataset's skills list. When it has names, every skill of a volunteer or "
    "need must be listed (without a list any name goes). Names are unique; one still used "
    "cannot be renamed or deleted (409).",
)
AVAILABILITY = _kind(
    "availability",
    "availability",
    N_("availability"),
    "an availability window",  # i18n: not shown: OpenAPI summary
    "availability windows",
    (AvailabilityBody, AvailabilityRow),
    _availability_filters,
    row_checks.check_availability,
    pins_at_stake=_their_pins,
    description="When volunteers can serve: a window on a date of the horizon, or every week on "
    "a weekday (on service days). Filter by volunteer, date or weekday.",
)
BLACKOUTS = _kind(
    "blackouts",
    "blackout",
    N_("blackout"),
    "a blackout date",
    "blackout dates",
    (BlackoutBody, BlackoutRow),
    _blackout_filters,
    row_checks.check_blackout,
    pins_at_stake=_their_pins,
    description="Whole dates of the horizon on which a volunteer cannot serve. Filter by "
    "volunteer or date.",
)
PAIRS = _kind(
    "pairs",
    "pair",
    N_("pair"),
    "a pair",
    "pairs",
    (PairBody, PairRow),
    _pair_filters,
    row_checks.check_pair,
    pins_at_stake=_their_pins,
    description="What the coordinator knows about a volunteer with a need or a household: "
    "affinity, forbidden, extra travel minutes. Filter by volunteer, need or household.",
)
PINS = _kind(
    "pins",
    "pin",
    N_("pin"),
    "a pin",
    "pins",
    (PinBody, PinRow),
    _pin_filters,
    row_checks.check_pin,
    pins_at_stake=_their_pins,
    description="Assignments the solver must keep, once per volunteer and need; a pin the solver "
    "would refuse (skills, availability, forbidden pair, budget ...) is refused with the "
    "reason. Filter by volunteer or need.",
)
HISTORY = _kind(
    "history",
    "history",
    N_("history"),
    "a history row",
    "history rows",
    (HistoryBody, HistoryRow),
    _history_filters,
    row_checks.check_history,
    description="Past assignments with attendance, read for continuity and fairness. Rows with a "
    "`roster_id` were written by publishing that roster and are replaced when a later "
    "roster is published. Filter by volunteer, need, household or date.",
)
TRAVEL = _kind(
    "travel",
    "travel",
    N_("travel"),
    "a travel time",
    "travel times",
    (TravelBody, TravelRow),
    _travel_filters,
    row_checks.check_travel,
    # a volunteer's reach from home (max_travel) is read off the travel times
    pins_at_stake=_all_pins,
    description="Travel minutes between places (a need's location, else its area), once per "
    "origin and destination. Filter by origin or destination.",
)
KINDS = (DEPARTMENTS, SKILLS, AVAILABILITY, BLACKOUTS, PAIRS, PINS, HISTORY, TRAVEL)

router = row_router(KINDS, tag="dataset rows")
