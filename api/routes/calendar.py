"""A volunteer's own calendar: the assignments of the dataset's plan of record, as iCalendar.

Phone calendars subscribe to a URL and cannot send headers, so this route
also takes the key as ``?key=`` (use a viewer key: it shows in URLs and logs).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, Security, status
from sqlalchemy import select

from api.deps import SessionDep, api_key_header, current_key
from api.exports import assignments, job_problem, roster_ics
from api.routes.common import AUTH, NOT_FOUND, DatasetId, get_dataset
from api.store.models import ApiKey, SolveJob, VolunteerRecord

router = APIRouter(tags=["rosters"])


def header_or_query_key(
    session: SessionDep,
    header: Annotated[str | None, Security(api_key_header)] = None,
    key: Annotated[
        str | None,
        Query(description="the API key, for calendar apps that cannot send X-API-Key"),
    ] = None,
) -> ApiKey:
    """The caller's key from ``X-API-Key`` or ``?key=``; any role may read a calendar."""
    return current_key(session, header or key)


@router.get(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/calendar.ics",
    summary="A volunteer's assignments in the published roster (iCalendar, subscribable)",
    description=(
        "Events of the volunteer in the dataset's plan of record (its latest published "
        "roster), in Asia/Shanghai time; untimed needs are all-day events over the horizon. "
        "`from` keeps only events on or after a date (e.g. today, for upcoming ones). "
        "An empty calendar when nothing is published."
    ),
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The calendar"},
        **AUTH,
        **NOT_FOUND,
    },
)
def volunteer_calendar(
    dataset_id: DatasetId,
    volunteer_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$")],
    session: SessionDep,
    caller: Annotated[ApiKey, Depends(header_or_query_key)],
    since: Annotated[dt.date | None, Query(alias="from", description="first date shown")] = None,
) -> Response:
    dataset = get_dataset(session, dataset_id)
    known = session.scalar(
        select(VolunteerRecord.id).where(
            VolunteerRecord.dataset_id == dataset_id, VolunteerRecord.entity_id == volunteer_id
        )
    )
    if known is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no volunteer {volunteer_id}")
    plan = session.scalar(
        select(SolveJob).where(
            SolveJob.dataset_id == dataset_id,
            SolveJob.published_at.is_not(None),
            SolveJob.superseded_at.is_(None),
        )
    )
    if plan is None:
        from matcher.domain import Horizon, Problem

        problem = Problem(
            horizon=Horizon(dt.date.today(), dt.date.today(), ()), volunteers=(), needs=()
        )
        mine = []
    else:
        problem = job_problem(plan)
        mine = [a for a in assignments(plan.roster or []) if a.volunteer_id == volunteer_id]
        if since is not None:
            mine = [a for a in mine if (a.date or problem.horizon.end) >= since]
    content = roster_ics(
        problem,
        mine,
        f"志愿服务 {dataset.name} {volunteer_id}",
        f"plan{plan.id if plan else 0}",
    )
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{dataset_id}-calendar.ics"'},
    )
