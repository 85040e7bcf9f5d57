"""A volunteer's own calendar: their assignments in the plan of record, as iCalendar.

Three ways in:

- ``GET /datasets/{id}/volunteers/{vid}/calendar.ics`` with an ``X-API-Key``;
- ``GET /volunteers/{vid}/calendar.ics`` with a key, when the volunteer id is
  in one dataset only (or ``?dataset_id=`` says which);
- ``GET /calendars/{token}.ics`` without a key: a phone calendar cannot send
  headers, so a coordinator makes a **calendar link** per volunteer
  (``POST .../calendar-link``); its token opens that one calendar and nothing
  else, is stored hashed and can be revoked.  API keys never go into URLs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer
from api.exports import assignments, job_problem, roster_ics
from api.keys import hash_key, new_secret, same_hash, token_prefix
from api.record_schemas import DateField
from api.roster_schemas import CalendarLinkMade, CalendarLinksRevoked
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.schemas import ErrorMessage
from api.store import rows
from api.store.audit import audit
from api.store.calendars import (
    add_link,
    datasets_with_volunteer,
    link_by_prefix,
    revoke_links,
)
from api.store.datasets import find_dataset
from api.store.jobs import plan_of_record
from api.store.models import Dataset
from matcher.domain import Horizon, Problem
from matcher.i18n import _

router = APIRouter(tags=["calendars"])

VolunteerId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$", description="volunteer id")
]
Since = Annotated[
    DateField | None,
    Query(alias="from", description="first date shown, e.g. today for upcoming events only"),
]
ICS = {200: answer(content={"text/calendar": {}}, description="The calendar (iCalendar)")}
AMBIGUOUS: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="The volunteer id is in several datasets")
}
CALENDAR_DESCRIPTION = (
    "Events of the volunteer in the dataset's plan of record (its latest published "
    "roster), in Asia/Shanghai time; untimed needs are all-day events over the horizon. "
    "`from` keeps only events on or after a date. "
    "An empty calendar when nothing is published."  # i18n: not shown: OpenAPI description
)


def _known_volunteer(session: Session, dataset_id: int, volunteer_id: str) -> None:
    if not rows.is_stored(session, rows.VOLUNTEERS, dataset_id, volunteer_id):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            _("no volunteer {volunteer} in dataset {dataset}").format(
                volunteer=volunteer_id, dataset=dataset_id
            ),
        )


def _calendar(
    session: Session, dataset: Dataset, volunteer_id: str, since: dt.date | None
) -> Response:
    plan = plan_of_record(session, dataset.id)
    if plan is None:
        today = dt.date.today()
        problem = Problem(horizon=Horizon(today, today, ()), volunteers=(), needs=())
        mine = []
    else:
        problem = job_problem(plan)
        mine = [a for a in assignments(plan.roster or []) if a.volunteer_id == volunteer_id]
        if since is not None:
            mine = [a for a in mine if (a.date or problem.horizon.end) >= since]
    content = roster_ics(
        problem, mine, f"志愿服务 {dataset.name} {volunteer_id}", f"plan{plan.id if plan else 0}"
    )
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{dataset.id}-calendar.ics"',
            # A calendar app polls; it should not keep a stale plan for long.
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/calendar.ics",
    summary="A volunteer's assignments in the published roster (iCalendar)",
    description=CALENDAR_DESCRIPTION + " Needs an `X-API-Key` (any role).",
    response_class=Response,
    responses={**ICS, **AUTH, **NOT_FOUND},
)
def dataset_volunteer_calendar(
    dataset_id: DatasetId,
    volunteer_id: VolunteerId,
    session: SessionDep,
    key: Reader,
    since: Since = None,
) -> Response:
    dataset = get_dataset(session, dataset_id)
    _known_volunteer(session, dataset_id, volunteer_id)
    return _calendar(session, dataset, volunteer_id, since)


@router.get(
    "/volunteers/{volunteer_id}/calendar.ics",
    summary="A volunteer's assignments, found by volunteer id (iCalendar)",
    description=CALENDAR_DESCRIPTION
    + " Volunteer ids belong to a dataset: when the id is in several datasets, give "
    "`dataset_id` (the answer is 409 with the candidates otherwise). Needs an `X-API-Key`.",
    response_class=Response,
    responses={**ICS, **AUTH, **NOT_FOUND, **AMBIGUOUS},
)
def volunteer_calendar(
    volunteer_id: VolunteerId,
    session: SessionDep,
    key: Reader,
    dataset_id: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="dataset of the volunteer")
    ] = None,
    since: Since = None,
) -> Response:
    if dataset_id is not None:
        return dataset_volunteer_calendar(dataset_id, volunteer_id, session, key, since)
    found = datasets_with_volunteer(session, volunteer_id, limit=20)
    if not found:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, _("no volunteer {volunteer}").format(volunteer=volunteer_id)
        )
    if len(found) > 1:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("volunteer {volunteer} is in datasets {datasets}; add ?dataset_id= to choose").format(
                volunteer=volunteer_id, datasets=", ".join(map(str, found))
            ),
        )
    return _calendar(session, get_dataset(session, found[0]), volunteer_id, since)


@router.post(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/calendar-link",
    status_code=status.HTTP_201_CREATED,
    summary="Make a subscribable calendar link for a volunteer",
    description=(
        "Answers a URL `/calendars/{token}.ics` that opens this volunteer's calendar "
        "without an API key, for a phone's calendar subscription. The token is shown once "
        "and stored hashed; earlier links of the volunteer keep working until revoked."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def make_calendar_link(
    dataset_id: DatasetId,
    volunteer_id: VolunteerId,
    session: SessionDep,
    key: Writer,
) -> CalendarLinkMade:
    get_dataset(session, dataset_id)
    _known_volunteer(session, dataset_id, volunteer_id)
    token, prefix = new_secret("cal")
    link = add_link(session, dataset_id, volunteer_id, prefix, hash_key(token), key.id)
    audit(
        session,
        key,
        "calendar_link.create",
        f"dataset:{dataset_id}/volunteer:{volunteer_id}",
        link_id=link.id,
    )
    session.commit()
    return CalendarLinkMade(
        id=link.id,
        dataset_id=dataset_id,
        volunteer_id=volunteer_id,
        url=f"/calendars/{token}.ics",
        created_at=link.created_at,
    )


@router.delete(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/calendar-link",
    summary="Close every calendar link of a volunteer",
    responses={**AUTH, **NOT_FOUND},
)
def revoke_calendar_links(
    dataset_id: DatasetId, volunteer_id: VolunteerId, session: SessionDep, key: Writer
) -> CalendarLinksRevoked:
    get_dataset(session, dataset_id)
    _known_volunteer(session, dataset_id, volunteer_id)
    revoked = revoke_links(session, dataset_id, volunteer_id)
    audit(
        session,
        key,
        "calendar_link.revoke",
        f"dataset:{dataset_id}/volunteer:{volunteer_id}",
        revoked=revoked,
    )
    session.commit()
    return CalendarLinksRevoked(revoked=revoked)


@router.get(
    "/calendars/{token}.ics",
    summary="A volunteer's calendar through a calendar link (no API key)",
    description=CALENDAR_DESCRIPTION + " The token comes from `POST .../calendar-link`.",
    response_class=Response,
    responses={**ICS, **NOT_FOUND},
)
def linked_calendar(
    token: Annotated[str, Path(min_length=1, max_length=200, description="the link's token")],
    session: SessionDep,
    since: Since = None,
) -> Response:
    prefix = token_prefix(token, "cal")
    link = link_by_prefix(session, prefix) if prefix else None
    # One answer for malformed, unknown and revoked links: a guesser learns nothing.
    if link is None or link.revoked_at is not None or not same_hash(link.token_hash, token):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no such calendar link"))
    dataset = find_dataset(session, link.dataset_id)
    if dataset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no such calendar link"))
    return _calendar(session, dataset, link.volunteer_id, since)
