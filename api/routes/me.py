"""A volunteer's own routes, through their personal link ``/me/{token}`` (no API key).

Serving is voluntary (志愿服务条例, article 25): the volunteer confirms or
declines each assignment of the plan of record on a small page for a phone
(:mod:`api.web.me_page`) or as JSON, and subscribes to a calendar of them.
A coordinator makes the link (``POST /datasets/{id}/volunteers/{vid}/personal-link``);
its token opens that volunteer's own proposals of that dataset and nothing
else, is stored hashed and can be revoked.

A team lead's link also opens their team on the day: who is due, who has
confirmed, and one tap for arrived, late, left early or no-show, written
into the attendance ledger as the lead's record (:mod:`api.store.attendance`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.attendance_schemas import ArrivalForm, LeadMark, MyTeams, TeamMember
from api.deps import SessionDep
from api.exports import job_problem, roster_ics
from api.guards import forbidden_character
from api.keys import same_hash, token_prefix
from api.notify import Notifier, Notify
from api.proposal_schemas import AnswerForm, AnswerRequest, MyProposals, ProposalView
from api.proposal_views import answer_proposal, assignment_of, proposal_view
from api.routes.common import answer
from api.schemas import ErrorMessage
from api.store.attendance import AttendanceRefusedError, now_in_shanghai
from api.store.jobs import plan_of_record
from api.store.models import PersonalLink, Proposal, SolveJob
from api.store.proposals import (
    CONFIRMED,
    DECLINED,
    PERSONAL_LINK_SCHEME,
    PROPOSED,
    audit_link,
    find_proposal,
    personal_link_by_prefix,
    proposals_of_volunteer,
)
from api.team_day import lead_teams, mark, refused, team_member
from api.web.me_page import render_page
from matcher.domain import Problem
from matcher.i18n import _

router = APIRouter(tags=["proposals"])

ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647, description="proposal id")]
Token = Annotated[str, Path(min_length=1, max_length=200, description="the personal link's token")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Not possible in the proposal's present state")
}
GONE: dict[int | str, dict[str, Any]] = {
    404: answer(model=ErrorMessage, description="Unknown link, or not this volunteer's proposal"),
    410: answer(model=ErrorMessage, description="The link was revoked"),
}
SCHEME = PERSONAL_LINK_SCHEME


def _link(session: Session, token: str) -> PersonalLink:
    """The personal link of ``token``: 404 when unknown or malformed, 410 when revoked."""
    prefix = token_prefix(token, SCHEME)
    link = personal_link_by_prefix(session, prefix) if prefix else None
    # One answer for malformed and unknown tokens: a guesser learns nothing.
    if link is None or not same_hash(link.token_hash, token):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no such personal link"))
    if link.revoked_at is not None:
        raise HTTPException(
            status.HTTP_410_GONE,
            _("this personal link was closed; ask your coordinator for a new one"),
        )
    return link


def _mine(session: Session, link: PersonalLink) -> tuple[SolveJob | None, list[Proposal]]:
    plan = plan_of_record(session, link.dataset_id)
    if plan is None:
        return None, []
    return plan, proposals_of_volunteer(session, plan.id, link.volunteer_id)


def _my_proposal(session: Session, link: PersonalLink, proposal_id: int) -> Proposal:
    """The link's volunteer's proposal in the plan of record; 404 for anything else."""
    p = find_proposal(session, proposal_id)
    plan = plan_of_record(session, link.dataset_id)
    if (
        p is None
        or plan is None
        or p.roster_id != plan.id
        or p.dataset_id != link.dataset_id
        or p.volunteer_id != link.volunteer_id
    ):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, _("no proposal {id} of yours").format(id=proposal_id)
        )
    return p


def _volunteer_answer(
    session: Session,
    link: PersonalLink,
    proposal_id: int,
    confirm: bool,
    note: str,
    notify: Notify,
) -> Proposal:
    p = _my_proposal(session, link, proposal_id)
    answer_proposal(session, p, confirm, "volunteer", None, note, notify)
    audit_link(
        session,
        "proposal.confirm" if confirm else "proposal.decline",
        f"proposal:{p.id}",
        link_id=link.id,
        volunteer_id=p.volunteer_id,
        note=note,
    )
    session.commit()
    return p


Planned = tuple[SolveJob | None, Problem | None]
"""The plan of record and its problem, read once per request (the snapshot is large)."""


def _planned(session: Session, link: PersonalLink) -> Planned:
    plan = plan_of_record(session, link.dataset_id)
    return plan, job_problem(plan) if plan else None


def _my_proposals(
    session: Session, link: PersonalLink, planned: Planned | None = None
) -> MyProposals:
    plan, problem = planned or _planned(session, link)
    mine = proposals_of_volunteer(session, plan.id, link.volunteer_id) if plan else []
    name = ""
    if problem is not None and link.volunteer_id in problem.volunteer_index:
        name = problem.volunteers[problem.volunteer_index[link.volunteer_id]].name
    return MyProposals(
        dataset_id=link.dataset_id,
        volunteer_id=link.volunteer_id,
        volunteer_name=name,
        roster_id=plan.id if plan else None,
        items=[proposal_view(p, problem, True) for p in mine],
    )


def _my_teams(
    session: Session, link: PersonalLink, name: str, planned: Planned | None = None
) -> MyTeams:
    plan, problem = planned or _planned(session, link)
    today = now_in_shanghai().date()
    return lead_teams(session, plan, problem, link.volunteer_id, name, today)


def _lead_mark(session: Session, link: PersonalLink, proposal_id: int, code: str) -> Proposal:
    """Record what the link's lead saw for a member of their team, and commit."""
    p = team_member(
        session, plan_of_record(session, link.dataset_id), link.volunteer_id, proposal_id
    )
    try:
        mark(session, p, code, link.volunteer_id, now_in_shanghai())
    except AttendanceRefusedError as error:
        refused(error)
    session.commit()
    return p


@router.get(
    "/me/{token}/team",
    summary="The teams I lead, with who has confirmed and who has arrived (personal link)",
    description=(
        "For a team lead: each service they lead in the plan of record, with every member "
        "due (the lead first), their answer and the attendance recorded so far. Empty for "
        "a volunteer who leads nothing. No API key: the personal link is the key."
    ),
    responses=GONE,
)
def my_teams(token: Token, session: SessionDep) -> MyTeams:
    link = _link(session, token)
    planned = _planned(session, link)
    name = _my_proposals(session, link, planned).volunteer_name
    return _my_teams(session, link, name, planned)


@router.post(
    "/me/{token}/team/{proposal_id}/attendance",
    summary="Mark a member of my team arrived, late, left early or no-show (personal link)",
    description=(
        "The team lead's tap on the day: the first records the member's attendance, the "
        "same status again changes nothing, another status corrects the record (a new "
        "entry superseding the old, with the lead named). Late takes the time now as the "
        "start, left early as the end, when it is within the planned time of the day. "
        "Only on the day or after, only for members of a team the link's volunteer leads."
    ),
    responses={**GONE, **CONFLICT, 422: answer(description="An unknown status")},
)
def mark_member(
    token: Token, proposal_id: ProposalId, body: LeadMark, session: SessionDep
) -> TeamMember:
    link = _link(session, token)
    p = _lead_mark(session, link, proposal_id, body.status)
    teams = _my_teams(session, link, "")
    return next(m for t in teams.teams for m in t.members if m.proposal_id == p.id)


@router.post(
    "/me/{token}/arrival",
    summary="The team lead's page form: mark one member; answers the page again",
    response_class=HTMLResponse,
    responses={200: answer(content={"text/html": {}}, description="The page"), **GONE},
)
def arrival_form(
    token: Token, session: SessionDep, form: Annotated[ArrivalForm, Form()]
) -> HTMLResponse:
    link = _link(session, token)
    done = "marked"
    try:
        _lead_mark(session, link, form.proposal_id, form.status.value)
    except HTTPException as error:
        if error.status_code != status.HTTP_409_CONFLICT:
            raise
        done = "not_recorded"
    return _page(session, token, link, done)


def _page(session: Session, token: str, link: PersonalLink, done: str | None) -> HTMLResponse:
    planned = _planned(session, link)
    mine = _my_proposals(session, link, planned)
    page = render_page(token, mine, done, _my_teams(session, link, mine.volunteer_name, planned))
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


@router.get(
    "/me/{token}/proposals",
    summary="A volunteer's own proposals, through their personal link (no API key)",
    responses=GONE,
)
def my_proposals(token: Token, session: SessionDep) -> MyProposals:
    return _my_proposals(session, _link(session, token))


@router.post(
    "/me/{token}/proposals/{proposal_id}/confirm",
    summary="Confirm one of my assignments (personal link, no API key)",
    responses={**GONE, **CONFLICT},
)
def my_confirm(
    token: Token,
    proposal_id: ProposalId,
    session: SessionDep,
    notify: Notifier,
    body: AnswerRequest | None = None,
) -> ProposalView:
    link = _link(session, token)
    p = _volunteer_answer(session, link, proposal_id, True, body.note if body else "", notify)
    return proposal_view(p, None, True)


@router.post(
    "/me/{token}/proposals/{proposal_id}/decline",
    summary="Decline one of my assignments (personal link, no API key)",
    responses={**GONE, **CONFLICT},
)
def my_decline(
    token: Token,
    proposal_id: ProposalId,
    session: SessionDep,
    notify: Notifier,
    body: AnswerRequest | None = None,
) -> ProposalView:
    link = _link(session, token)
    p = _volunteer_answer(session, link, proposal_id, False, body.note if body else "", notify)
    return proposal_view(p, None, True)


@router.post(
    "/me/{token}/answer",
    summary="The page's form: confirm or decline one assignment; answers the page again",
    response_class=HTMLResponse,
    responses={200: answer(content={"text/html": {}}, description="The page"), **GONE},
)
def my_answer_form(
    token: Token, session: SessionDep, notify: Notifier, form: Annotated[AnswerForm, Form()]
) -> HTMLResponse:
    link = _link(session, token)
    problem = forbidden_character(form.note)
    if problem is not None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            _("text the service cannot store: {problem}").format(problem=problem),
        )
    confirm = form.action == "confirm"
    done = "confirmed" if confirm else "declined"
    try:
        _volunteer_answer(session, link, form.proposal_id, confirm, form.note.strip(), notify)
    except HTTPException as error:
        if error.status_code != status.HTTP_409_CONFLICT:
            raise
        # a reload sends the form again: the same answer twice is no conflict
        p = _my_proposal(session, link, form.proposal_id)
        done = done if p.state == (CONFIRMED if confirm else DECLINED) else "conflict"
    return _page(session, token, link, done)


@router.get(
    "/me/{token}/calendar.ics",
    summary="My confirmed and proposed assignments as a calendar (personal link)",
    response_class=Response,
    responses={
        200: answer(content={"text/calendar": {}}, description="The calendar (iCalendar)"),
        **GONE,
    },
)
def my_calendar(token: Token, session: SessionDep) -> Response:
    link = _link(session, token)
    plan, mine = _mine(session, link)
    if plan is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("nothing is published yet"))
    held = [assignment_of(p) for p in mine if p.state in (PROPOSED, CONFIRMED)]
    content = roster_ics(job_problem(plan), held, f"志愿服务 {link.volunteer_id}", f"me{plan.id}")
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{link.volunteer_id}.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get(
    "/me/{token}",
    summary="A volunteer's own page: their assignments, to confirm or decline (no API key)",
    description=(
        "A small page for a phone, in the language of the request (Chinese by default): "
        "each assignment of the volunteer in the plan of record, with buttons to confirm "
        "or decline and a note, and a calendar to subscribe to."
    ),
    response_class=HTMLResponse,
    responses={200: answer(content={"text/html": {}}, description="The page"), **GONE},
)
def my_page(
    token: Token,
    session: SessionDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _page(session, token, _link(session, token), done)
