"""Residents' requests and micro-wishes: 点单 -> 派单 -> 接单 -> 评单.

新时代文明实践 platforms run a resident's need as an order: a request is
entered (点单) and reviewed, dispatched as a need of the weekend's dataset
(派单; it can be dispatched again if nobody takes it), taken by a volunteer
(接单: a confirmed proposal of that need in the plan of record) and, after the
service, rated (评单), which closes it.  The community worker does all of it;
every change is in the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.masking import mask_phone
from api.record_schemas import minutes_of
from api.request_schemas import DispatchBody, RateBody, RequestBody, RequestView, ReviewBody
from api.routes.common import AUTH, CONFLICT, NOT_FOUND, DatasetId, answer, get_dataset
from api.routes.entities import NEEDS
from api.routes.rows import write_row
from api.schemas import NeedModel, Page
from api.store import rows
from api.store.audit import audit
from api.store.models import ApiKey, RequestState, ResidentRequest
from api.store.requests import (
    STATE_NAMES,
    Progress,
    add_request,
    find_request,
    move,
    progress_of,
    request_page,
)
from api.validation import unprocessable
from matcher.domain import format_minutes
from matcher.i18n import _

router = APIRouter(tags=["residents' requests"])

RequestId = Annotated[int, Path(ge=1, le=2_147_483_647, description="request id")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]
WRITE = {**AUTH, **NOT_FOUND, **CONFLICT}


def _clock(minutes: int | None) -> str | None:
    return format_minutes(minutes) if minutes is not None else None


def _view(request: ResidentRequest, progress: Progress | None, personal: bool) -> RequestView:
    progress = progress or Progress()
    return RequestView(
        id=request.id,
        dataset_id=request.dataset_id,
        kind=request.kind,
        title=request.title,
        category=request.category,
        description=request.description,
        household_id=request.household_id,
        requester=request.requester,
        phone=request.phone if personal else mask_phone(request.phone),
        wanted_date=request.wanted_date,
        wanted_start=_clock(request.wanted_start),
        wanted_end=_clock(request.wanted_end),
        duration=request.duration,
        volunteers=request.volunteers,
        state=request.state,
        state_name=_(STATE_NAMES[request.state]),
        review_note=request.review_note,
        need_id=request.need_id,
        dispatches=request.dispatches,
        taken_by=list(progress.taken_by),
        served_by=list(progress.served_by),
        rating=request.rating,
        feedback=request.feedback,
        created_at=request.created_at,
        updated_at=request.updated_at,
    )


def _one(session: Session, request: ResidentRequest, key: ApiKey) -> RequestView:
    progress = progress_of(session, [request]).get(request.id)
    return _view(request, progress, can_see_personal_data(key))


def _request(session: Session, request_id: int) -> ResidentRequest:
    found = find_request(session, request_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no request {id}").format(id=request_id))
    return found


def _move(request: ResidentRequest, state: str) -> None:
    """Move the request on, or 409 naming where it stands."""
    if not move(request, state):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("request {id} is {state}: it cannot be {wanted} now").format(
                id=request.id,
                state=_(STATE_NAMES[request.state]),
                wanted=_(STATE_NAMES[state]),
            ),
        )


@router.post(
    "/datasets/{dataset_id}/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Enter a resident's request or micro-wish (点单)",
    description=(
        "The community worker enters what a resident asked for: the kind (`request` or "
        "`micro_wish`), a title, a need category, the household, who asked and a phone, "
        "the wanted date and time, the minutes of work and how many volunteers it takes. "
        "It starts `submitted`, to be reviewed."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def create_request(
    dataset_id: DatasetId, body: RequestBody, session: SessionDep, key: Writer
) -> RequestView:
    get_dataset(session, dataset_id)
    if body.household_id is not None and not rows.is_stored(
        session, rows.HOUSEHOLDS, dataset_id, body.household_id
    ):
        raise unprocessable(
            [(("household_id",), _("no household {id}").format(id=body.household_id))]
        )
    request = add_request(
        session,
        ResidentRequest(
            dataset_id=dataset_id,
            kind=body.kind,
            title=body.title,
            category=body.category.value,
            description=body.description,
            household_id=body.household_id,
            requester=body.requester,
            phone=body.phone,
            wanted_date=body.wanted_date,
            wanted_start=minutes_of(body.wanted_start),
            wanted_end=minutes_of(body.wanted_end, end=True),
            duration=body.duration,
            volunteers=body.volunteers,
            created_by=key.id,
        ),
    )
    audit(session, key, "request.create", f"request:{request.id}", dataset_id=dataset_id)
    session.commit()
    return _view(request, None, True)


@router.get(
    "/datasets/{dataset_id}/requests",
    summary="The residents' requests of a dataset, with where each stands",
    description=(
        "Newest first; filter by `state` (submitted, accepted, rejected, dispatched, "
        "closed). A dispatched request shows who took it (`taken_by`: confirmed in the "
        "plan of record) and who served it (`served_by`: recorded attendance). Phones "
        "are masked for viewers."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def list_requests(
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    state: RequestState | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[RequestView]:
    get_dataset(session, dataset_id)
    total, found = request_page(session, dataset_id, state.value if state else None, offset, limit)
    progress = progress_of(session, found)
    personal = can_see_personal_data(key)
    return Page[RequestView](
        items=[_view(r, progress.get(r.id), personal) for r in found],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/requests/{request_id}",
    summary="One resident's request",
    responses={**AUTH, **NOT_FOUND},
)
def read_request(request_id: RequestId, session: SessionDep, key: Reader) -> RequestView:
    return _one(session, _request(session, request_id), key)


@router.post(
    "/requests/{request_id}/review",
    summary="Take a submitted request up or not, with a note",
    responses=WRITE,
)
def review_request(
    request_id: RequestId, body: ReviewBody, session: SessionDep, key: Writer
) -> RequestView:
    request = _request(session, request_id)
    _move(request, RequestState.ACCEPTED.value if body.accept else RequestState.REJECTED.value)
    request.review_note = body.note
    audit(session, key, "request.review", f"request:{request.id}", accept=body.accept)
    session.commit()
    return _one(session, request, key)


def _need_of(request: ResidentRequest, body: DispatchBody) -> NeedModel:
    start = body.start if body.start is not None else _clock(request.wanted_start)
    end = body.end if body.end is not None else _clock(request.wanted_end)
    date = body.date or request.wanted_date
    # each dispatch is a need of its own: the earlier one may sit in a published plan
    suffix = f"-{request.dispatches + 1}" if request.dispatches else ""
    return NeedModel(
        id=f"R{request.id:04d}{suffix}",
        title=request.title,
        category=request.category,  # type: ignore[arg-type]
        duration=request.duration,
        date=date,
        start=start if date else None,
        end=end if date else None,
        household_id=request.household_id,
        location=body.location,
        skills=body.skills,
        min_volunteers=request.volunteers,
        max_volunteers=request.volunteers,
        priority=body.priority,
        must_cover=body.must_cover,
    )


@router.post(
    "/requests/{request_id}/dispatch",
    summary="Dispatch an accepted request as a need of its dataset (派单)",
    description=(
        "The request becomes a need (id `R0003`; a second dispatch `R0003-2`) of its "
        "dataset, at the wanted date and time unless the body says otherwise, checked "
        "like any need; the next roster plans it. A dispatched request may be dispatched "
        "again (nobody took it, the resident moved the date)."
    ),
    responses={**WRITE, 422: answer(description="The need would break a rule of the dataset")},
)
def dispatch_request(
    request_id: RequestId, body: DispatchBody, session: SessionDep, key: Writer
) -> RequestView:
    request = _request(session, request_id)
    dataset = get_dataset(session, request.dataset_id)
    need = _need_of(request, body)
    _move(request, RequestState.DISPATCHED.value)
    request.need_id, request.dispatches = need.id, request.dispatches + 1
    audit(session, key, "request.dispatch", f"request:{request.id}", need_id=need.id)
    # the need is written, checked, audited and committed with the request's change
    write_row(session, key, NEEDS, dataset, need, None)
    return _one(session, request, key)


@router.post(
    "/requests/{request_id}/rate",
    summary="Record the resident's rating after the service; closes the request (评单)",
    responses=WRITE,
)
def rate_request(
    request_id: RequestId, body: RateBody, session: SessionDep, key: Writer
) -> RequestView:
    request = _request(session, request_id)
    _move(request, RequestState.CLOSED.value)
    request.rating, request.feedback = body.rating, body.feedback
    audit(session, key, "request.rate", f"request:{request.id}", rating=body.rating)
    session.commit()
    return _one(session, request, key)
