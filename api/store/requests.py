"""Residents' requests and micro-wishes (点单 -> 派单 -> 接单 -> 评单): storage and states.

Where a dispatched request stands on the day is read, not stored: taken
(接单) when a volunteer of the plan of record confirmed its need, served when
attendance recorded someone serving it.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.store.attendance import current_entries
from api.store.jobs import plan_of_record
from api.store.models import Proposal, ProposalState, RequestState, ResidentRequest, utcnow
from matcher.attendance import AttendanceStatus
from matcher.i18n import N_

NEXT: dict[str, tuple[str, ...]] = {
    RequestState.SUBMITTED.value: (RequestState.ACCEPTED.value, RequestState.REJECTED.value),
    RequestState.ACCEPTED.value: (RequestState.DISPATCHED.value,),
    RequestState.DISPATCHED.value: (RequestState.DISPATCHED.value, RequestState.CLOSED.value),
    RequestState.REJECTED.value: (),
    RequestState.CLOSED.value: (),
}
"""The states each state may move to (a dispatched request may be dispatched again)."""

STATE_NAMES = {
    RequestState.SUBMITTED.value: N_("submitted"),
    RequestState.ACCEPTED.value: N_("accepted for service"),
    RequestState.REJECTED.value: N_("not taken up"),
    RequestState.DISPATCHED.value: N_("dispatched"),
    RequestState.CLOSED.value: N_("closed"),
}
"""How people name each state (message ids)."""


def add_request(session: Session, request: ResidentRequest) -> ResidentRequest:
    """Store a new request (submitted); flushed, the caller audits and commits."""
    request.state = RequestState.SUBMITTED.value
    session.add(request)
    session.flush()
    return request


def find_request(session: Session, request_id: int) -> ResidentRequest | None:
    """The request with this id, None when there is none."""
    return session.get(ResidentRequest, request_id)


def request_page(
    session: Session, dataset_id: int, state: str | None, offset: int, limit: int
) -> tuple[int, list[ResidentRequest]]:
    """A page of a dataset's requests, newest first, and the total matching."""
    where = [ResidentRequest.dataset_id == dataset_id]
    if state is not None:
        where.append(ResidentRequest.state == state)
    total = session.scalar(select(func.count()).select_from(ResidentRequest).where(*where)) or 0
    rows = session.scalars(
        select(ResidentRequest)
        .where(*where)
        .order_by(ResidentRequest.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)


def move(request: ResidentRequest, state: str) -> bool:
    """Move ``request`` to ``state`` if its present state allows it; False otherwise."""
    if state not in NEXT[request.state]:
        return False
    request.state, request.updated_at = state, utcnow()
    return True


@dataclasses.dataclass(frozen=True, slots=True)
class Progress:
    """Where a dispatched request stands in the plan of record."""

    taken_by: tuple[str, ...] = ()
    """Volunteers who confirmed its need (接单)."""
    served_by: tuple[str, ...] = ()
    """Volunteers whose attendance says they served it."""


def progress_of(session: Session, requests: list[ResidentRequest]) -> dict[int, Progress]:
    """Taken and served, per dispatched request of these, from the plan of record."""
    found: dict[int, Progress] = {}
    for request in requests:
        if request.need_id is None:
            continue
        plan = plan_of_record(session, request.dataset_id)
        if plan is None:
            continue
        proposals = list(
            session.scalars(
                select(Proposal).where(
                    Proposal.roster_id == plan.id, Proposal.need_id == request.need_id
                )
            )
        )
        entries = current_entries(session, [p.id for p in proposals])
        found[request.id] = Progress(
            taken_by=tuple(
                p.volunteer_id for p in proposals if p.state == ProposalState.CONFIRMED.value
            ),
            served_by=tuple(
                p.volunteer_id
                for p in proposals
                if p.id in entries and AttendanceStatus(entries[p.id].status).served
            ),
        )
    return found
