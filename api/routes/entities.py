"""Volunteers, households and needs of a dataset: list with paging and filters,
get, create, replace and delete (the routes are :mod:`api.routes.rows`').

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

# No ``from __future__ import annotations``: see api.routes.rows.

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.record_schemas import DateField
from api.routes.rows import RowKind, row_router
from api.row_checks import check_household, check_need, check_volunteer, household_in_use
from api.schemas import HouseholdModel, NeedModel, VolunteerModel, entity_json
from api.store import rows
from api.store.models import Dataset
from api.store.serialize import from_json
from matcher.domain import HouseholdCategory, Need, NeedCategory
from matcher.i18n import N_

NO_NUL = r"^[^\x00]*$"


def _key(name: str) -> Any:
    """The path parameter of an entity: its spreadsheet id, named ``name`` in the path."""
    return Annotated[str, Path(alias=name, min_length=1, max_length=100, pattern=NO_NUL)]


def _pins_of(match: str) -> Any:
    """Whose pins a replace of the entity can break (a create or delete breaks none).

    The solver's per-pair rules read the pinned volunteer, the pinned need and
    the need's household (its area, for travel from home), nothing of other
    volunteers or needs; so only pins that touch the entity can break.  A
    delete takes the entity's pins with it, and a household's pairs only
    forbid or add travel minutes, so removing them can only loosen the rules.
    """

    def stake(session: Session, dataset: Dataset, value: Any, current: Any) -> set[str]:
        if value is None or current is None:
            return set()
        if match == "volunteer_id":
            return {current.entity_id}
        return rows.pinned_volunteers(session, dataset.id, {match: current.entity_id})

    return stake


def _volunteer_filters(
    department: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    skill: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="has this skill")
    ] = None,
) -> rows.Criteria:
    return {"department": department, "skill": skill}


def _household_filters(category: HouseholdCategory | None = None) -> rows.Criteria:
    return {"category": category}


def _need_filters(
    category: NeedCategory | None = None,
    date: Annotated[DateField | None, Query()] = None,
    household_id: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
) -> rows.Criteria:
    return {"category": category, "date": date, "household_id": household_id}


def _data(row: Any) -> dict[str, Any]:
    return row.data


def _need(row: Any) -> dict[str, Any]:
    # times of day as HH:MM, as a need body gives them
    return entity_json(from_json(Need, row.data))


def _entity(
    table: rows.EntityTable,
    one: str,
    noun: str,
    model: type[BaseModel],
    goes_with: tuple[str, ...] | None,
    **behaviour: Any,
) -> RowKind:
    """A kind of entity: addressed by the id its body gives, ``<one>_id`` in the path.

    ``goes_with`` names the kinds of the other rows that refer to the entity
    and are deleted with it (None: all of them).
    """
    reference = f"{one}_id"
    return RowKind(
        table=table,
        one=one,
        noun=noun,
        a_row=f"a {one}",
        rows=table.kind,
        body=model,
        answer=model,
        key=_key(reference),
        server_ids=False,
        pins_at_stake=_pins_of(reference),
        cascade=lambda entity_id: ({reference: entity_id}, goes_with),
        **behaviour,
    )


VOLUNTEERS = _entity(
    rows.VOLUNTEERS,
    "volunteer",
    N_("volunteer"),
    VolunteerModel,
    None,
    filters=_volunteer_filters,
    check=check_volunteer,
    show=_data,
    descriptions={
        # i18n: the descriptions are OpenAPI documentation for programmers, left in English
        "list": "Paged, in upload order; filter by department and skill. "
        "Phone numbers are masked for viewers.",  # i18n: not shown: OpenAPI description
        "delete": "Also deletes the volunteer's availability, blackouts, pairs, pins "
        "and history.",  # i18n: not shown: OpenAPI description
    },
)
HOUSEHOLDS = _entity(
    rows.HOUSEHOLDS,
    "household",
    N_("household"),
    HouseholdModel,
    ("pairs",),
    filters=_household_filters,
    check=check_household,
    show=_data,
    on_delete=household_in_use,
    descriptions={
        "list": "Paged; filter by category. "
        "Addresses and notes are masked for viewers.",  # i18n: not shown: OpenAPI description
        "delete": "Also deletes its pairs. "
        "Refused (409) while needs or history refer to it.",  # i18n: not shown: OpenAPI
    },
)
NEEDS = _entity(
    rows.NEEDS,
    "need",
    N_("need"),
    NeedModel,
    ("pairs", "pins"),
    filters=_need_filters,
    check=check_need,
    show=_need,
    descriptions={
        "list": "Paged; filter by category, "
        "date and household.",  # i18n: not shown: OpenAPI description
        "delete": "Also deletes its pairs and pins "
        "(history keeps its own record of the need).",  # i18n: not shown: OpenAPI description
    },
)

router = row_router((VOLUNTEERS, HOUSEHOLDS, NEEDS), tag="volunteers, households, needs")
