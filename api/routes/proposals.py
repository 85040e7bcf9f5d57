"""Proposals: a published assignment its volunteer confirms or declines.

Serving is voluntary (志愿服务条例, article 25), and a volunteer who cannot
serve as agreed says so in time (article 22).  Two ways to answer:

- a coordinator records the answer for the volunteer
  (``POST /proposals/{id}/confirm`` or ``/decline``, coordinator role);
- the volunteer answers through their **personal link** ``/me/{token}``:
  a small Chinese page for a phone, no API key.  A coordinator makes the
  link (``POST /datasets/{id}/volunteers/{vid}/personal-link``); its token
  opens that volunteer's own proposals of that dataset and nothing else, is
  stored hashed and can be revoked.

A declined proposal is given to someone else: ``GET /proposals/{id}/replacements``
ranks the candidates, ``POST /proposals/{id}/replace`` gives it to one.

The volunteer's own routes behind the personal link are in :mod:`api.routes.me`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.exports import job_problem
from api.notify import Notifier, Notify
from api.proposal_schemas import (
    AnswerRequest,
    NearestOut,
    PersonalLinkMade,
    PersonalLinksRevoked,
    ProposalDetail,
    ProposalEventView,
    ProposalPage,
    Replaced,
    ReplacementList,
    ReplacementView,
    ReplaceRequest,
    State,
)
from api.proposal_views import answer_proposal, assignment_of, current_plan, proposal_view
from api.record_schemas import DateField
from api.replacements import find_replacements
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.schemas import ErrorMessage
from api.store import rows
from api.store.audit import audit
from api.store.jobs import find_job
from api.store.models import Proposal, SolveJob, utcnow
from api.store.proposals import (
    DECLINED,
    TransitionError,
    asked_since,
    events_of,
    find_proposal,
    issue_personal_link,
    open_proposals,
    proposal_page,
    proposals_of_need,
    replace,
    revoke_personal_links,
    shown_note,
    state_name,
)
from matcher.i18n import _
from matcher.params import params_from_mapping

router = APIRouter(tags=["proposals"])

ASKED_DAYS = 30
"""The window of "asked recently" on replacement candidates."""

ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647, description="proposal id")]
RosterId = Annotated[int, Path(ge=1, le=2_147_483_647, description="roster (solve job) id")]
VolunteerId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$", description="volunteer id")
]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Not possible in the proposal's present state")
}


# ----------------------------------------------------------------------- views


def _proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = find_proposal(session, proposal_id)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no proposal {id}").format(id=proposal_id))
    return proposal


def _roster(session: Session, roster_id: int) -> SolveJob:
    job = find_job(session, roster_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no roster {id}").format(id=roster_id))
    return job


def _detail(session: Session, p: Proposal, personal: bool) -> ProposalDetail:
    job = find_job(session, p.roster_id)
    view = proposal_view(p, job_problem(job) if job else None, personal)
    events = [
        ProposalEventView(
            state=e.state,  # type: ignore[arg-type]
            state_name=state_name(e.state),
            actor=e.actor,  # type: ignore[arg-type]
            key_id=e.key_id,
            note=shown_note(e),
            at=e.at,
        )
        for e in events_of(session, p.id)
    ]
    return ProposalDetail(**view.model_dump(), events=events)


# ----------------------------------------------------------------------- coordinators


@router.get(
    "/rosters/{roster_id}/proposals",
    summary="The proposals of a published roster: who confirmed, declined, or has not answered",
    description=(
        "Each assignment of a published roster is a proposal its volunteer confirms or "
        "declines. Filter by `state`, `volunteer_id` or `date`. Viewers get phones masked."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def list_proposals(
    roster_id: RosterId,
    session: SessionDep,
    key: Reader,
    state: State | None = None,
    volunteer_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    day: Annotated[DateField | None, Query(alias="date", description="the service day")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> ProposalPage:
    job = _roster(session, roster_id)
    total, page = proposal_page(
        session,
        roster_id,
        state=state,
        volunteer_id=volunteer_id,
        date=day,
        offset=offset,
        limit=limit,
    )
    problem = job_problem(job) if page else None
    personal = can_see_personal_data(key)
    return ProposalPage(
        items=[proposal_view(p, problem, personal) for p in page],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/proposals/{proposal_id}",
    summary="A proposal with every change of its state (who and when)",
    responses={**AUTH, **NOT_FOUND},
)
def read_proposal(proposal_id: ProposalId, session: SessionDep, key: Reader) -> ProposalDetail:
    return _detail(session, _proposal(session, proposal_id), can_see_personal_data(key))


def _coordinator_answer(
    proposal_id: int,
    confirm: bool,
    session: Session,
    key: Any,
    body: AnswerRequest | None,
    notify: Notify,
) -> ProposalDetail:
    p = _proposal(session, proposal_id)
    note = body.note if body else ""
    answer_proposal(session, p, confirm, "coordinator", key.id, note, notify)
    audit(
        session,
        key,
        "proposal.confirm" if confirm else "proposal.decline",
        f"proposal:{p.id}",
        roster_id=p.roster_id,
        volunteer_id=p.volunteer_id,
        need_id=p.need_id,
        note=note,
    )
    session.commit()
    return _detail(session, p, True)


@router.post(
    "/proposals/{proposal_id}/confirm",
    summary="Record that the volunteer confirmed (for them)",
    description=(
        "A coordinator records the volunteer's yes (by phone, in person). Only a proposed "
        "assignment can be confirmed; anything else is 409 with the reason. Audited."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def confirm_proposal(
    proposal_id: ProposalId,
    session: SessionDep,
    key: Writer,
    notify: Notifier,
    body: AnswerRequest | None = None,
) -> ProposalDetail:
    return _coordinator_answer(proposal_id, True, session, key, body, notify)


@router.post(
    "/proposals/{proposal_id}/decline",
    summary="Record that the volunteer declined (for them)",
    description=(
        "Serving is voluntary: a proposed or confirmed assignment can be declined, with an "
        "optional note. Then `GET /proposals/{id}/replacements` names who could take it. "
        "Audited."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def decline_proposal(
    proposal_id: ProposalId,
    session: SessionDep,
    key: Writer,
    notify: Notifier,
    body: AnswerRequest | None = None,
) -> ProposalDetail:
    return _coordinator_answer(proposal_id, False, session, key, body, notify)


def _replacements(session: Session, p: Proposal) -> tuple[SolveJob, ReplacementList, set[str]]:
    if p.state != DECLINED:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("proposal {id} is {state}: only a declined proposal is replaced").format(
                id=p.id, state=state_name(p.state)
            ),
        )
    job = current_plan(session, p)
    problem = job_problem(job)
    holding = [assignment_of(o) for o in open_proposals(session, job.id)]
    excluded = {o.volunteer_id for o in proposals_of_need(session, job.id, p.need_id)}
    params = params_from_mapping(job.params or {})
    travel = params.travel_minutes_default
    found = find_replacements(problem, assignment_of(p), holding, excluded, travel, params=params)
    ids = [c.volunteer_id for c in found.candidates]
    # what a coordinator weighs before asking: when they last served, how often asked lately
    served: dict[str, dt.date] = {}
    for entry in problem.history:
        if entry.attended and entry.date > served.get(entry.volunteer_id, dt.date.min):
            served[entry.volunteer_id] = entry.date
    asked = asked_since(
        session, p.dataset_id or job.dataset_id, ids, utcnow() - dt.timedelta(days=ASKED_DAYS)
    )
    listing = ReplacementList(
        proposal_id=p.id,
        need_id=p.need_id,
        candidates=[
            ReplacementView(
                **dataclasses.asdict(c),
                last_served=served.get(c.volunteer_id),
                asked_recently=asked.get(c.volunteer_id, 0),
            )
            for c in found.candidates
        ],
        nearest_out=[
            NearestOut(
                volunteer_id=c.volunteer_id, name=c.name, department=c.department, why=c.message
            )
            for c in found.nearest_out
        ],
    )
    return job, listing, {c.volunteer_id for c in found.candidates}


@router.get(
    "/proposals/{proposal_id}/replacements",
    summary="Who could take a declined assignment, best first",
    description=(
        "Volunteers who meet every rule of the need (skills, department, gender, distance, "
        "availability), hold nothing in the plan that clashes with it and are under their "
        "caps; best first as the solver ranks rosters (coverage, then the households' "
        "wishes, then the soft rules, whose fairness rule favours the less loaded; "
        "`/rosters/{id}/recommend` gives each term's change). `nearest_out` names the "
        "nearest volunteers who cannot, with why. 409 unless the proposal is declined."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def list_replacements(proposal_id: ProposalId, session: SessionDep, key: Reader) -> ReplacementList:
    return _replacements(session, _proposal(session, proposal_id))[1]


@router.post(
    "/proposals/{proposal_id}/replace",
    summary="Give a declined assignment to a candidate",
    description=(
        "The declined proposal becomes `replaced`; a new proposal (state `proposed`, "
        "`replaces_id` set) is made for the chosen volunteer, who must be one of "
        "`/replacements`' candidates (409 otherwise). Audited."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def replace_proposal(
    proposal_id: ProposalId,
    body: ReplaceRequest,
    session: SessionDep,
    key: Writer,
    notify: Notifier,
) -> Replaced:
    p = _proposal(session, proposal_id)
    job, listing, candidates = _replacements(session, p)
    if body.volunteer_id not in candidates:
        out = next((c for c in listing.nearest_out if c.volunteer_id == body.volunteer_id), None)
        message = _("volunteer {volunteer} is not a candidate for proposal {id}").format(
            volunteer=body.volunteer_id, id=p.id
        )
        if out is not None:
            message = _("{message}: {why}").format(message=message, why=out.why)
        raise HTTPException(status.HTTP_409_CONFLICT, message)
    try:
        offered, notices = replace(
            session, p, job, assignment_of(p, body.volunteer_id), key.id, body.note
        )
    except TransitionError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    notify(session, notices, key.id)
    audit(
        session,
        key,
        "proposal.replace",
        f"proposal:{p.id}",
        roster_id=p.roster_id,
        need_id=p.need_id,
        declined_by=p.volunteer_id,
        offered_to=body.volunteer_id,
        offered_id=offered.id,
    )
    session.commit()
    problem = job_problem(job)
    return Replaced(
        replaced=proposal_view(p, problem, True), offered=proposal_view(offered, problem, True)
    )


# ----------------------------------------------------------------------- personal links


def _known_volunteer(session: Session, dataset_id: int, volunteer_id: str) -> None:
    if not rows.is_stored(session, rows.VOLUNTEERS, dataset_id, volunteer_id):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            _("no volunteer {volunteer} in dataset {dataset}").format(
                volunteer=volunteer_id, dataset=dataset_id
            ),
        )


@router.post(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/personal-link",
    status_code=status.HTTP_201_CREATED,
    summary="Make a personal link for a volunteer to confirm or decline",
    description=(
        "Answers a URL `/me/{token}`: a page for a phone where the volunteer sees their own "
        "assignments in the plan of record and confirms or declines each, without an API "
        "key. The token is shown once and stored hashed; earlier links keep working until "
        "revoked."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def make_personal_link(
    dataset_id: DatasetId, volunteer_id: VolunteerId, session: SessionDep, key: Writer
) -> PersonalLinkMade:
    get_dataset(session, dataset_id)
    _known_volunteer(session, dataset_id, volunteer_id)
    link, token = issue_personal_link(session, dataset_id, volunteer_id, key.id)
    audit(
        session,
        key,
        "personal_link.create",
        f"dataset:{dataset_id}/volunteer:{volunteer_id}",
        link_id=link.id,
    )
    session.commit()
    return PersonalLinkMade(
        id=link.id,
        dataset_id=dataset_id,
        volunteer_id=volunteer_id,
        url=f"/me/{token}",
        created_at=link.created_at,
    )


@router.delete(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/personal-link",
    summary="Close every personal link of a volunteer",
    responses={**AUTH, **NOT_FOUND},
)
def revoke_personal_link(
    dataset_id: DatasetId, volunteer_id: VolunteerId, session: SessionDep, key: Writer
) -> PersonalLinksRevoked:
    get_dataset(session, dataset_id)
    _known_volunteer(session, dataset_id, volunteer_id)
    revoked = revoke_personal_links(session, dataset_id, volunteer_id)
    audit(
        session,
        key,
        "personal_link.revoke",
        f"dataset:{dataset_id}/volunteer:{volunteer_id}",
        revoked=revoked,
    )
    session.commit()
    return PersonalLinksRevoked(revoked=revoked)
