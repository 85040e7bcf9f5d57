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

The module runs past 500 lines on purpose, because the volunteer's page and
its form live with the routes they post to: one piece, read together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.exports import job_problem, roster_ics
from api.guards import forbidden_character
from api.keys import same_hash, token_prefix
from api.masking import mask_phone
from api.notify import Notifier, Notify
from api.proposal_schemas import (
    AnswerForm,
    AnswerRequest,
    MyProposals,
    NearestOut,
    PersonalLinkMade,
    PersonalLinksRevoked,
    ProposalDetail,
    ProposalEventView,
    ProposalPage,
    ProposalView,
    Replaced,
    ReplacementList,
    ReplacementView,
    ReplaceRequest,
    State,
)
from api.replacements import find_replacements
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.schemas import ErrorMessage
from api.store import rows
from api.store.audit import audit
from api.store.jobs import find_job, plan_of_record
from api.store.models import PersonalLink, Proposal, SolveJob
from api.store.proposals import (
    CONFIRMED,
    DECLINED,
    PERSONAL_LINK_SCHEME,
    PROPOSED,
    TransitionError,
    audit_link,
    events_of,
    find_proposal,
    issue_personal_link,
    open_proposals,
    personal_link_by_prefix,
    proposal_page,
    proposals_of_need,
    proposals_of_volunteer,
    record_answer,
    replace,
    revoke_personal_links,
    shown_note,
    state_name,
)
from matcher.domain import Assignment, AssignmentRole, Problem, format_minutes
from matcher.i18n import _, language
from matcher.params import params_from_mapping

router = APIRouter(tags=["proposals"])

ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647, description="proposal id")]
RosterId = Annotated[int, Path(ge=1, le=2_147_483_647, description="roster (solve job) id")]
VolunteerId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$", description="volunteer id")
]
Token = Annotated[str, Path(min_length=1, max_length=200, description="the personal link's token")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Not possible in the proposal's present state")
}
GONE: dict[int | str, dict[str, Any]] = {
    404: answer(model=ErrorMessage, description="Unknown link, or not this volunteer's proposal"),
    410: answer(model=ErrorMessage, description="The link was revoked"),
}
SCHEME = PERSONAL_LINK_SCHEME


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


def _view(p: Proposal, problem: Problem | None, personal: bool) -> ProposalView:
    need = volunteer = None
    if problem is not None:
        if p.need_id in problem.need_index:
            need = problem.needs[problem.need_index[p.need_id]]
        if p.volunteer_id in problem.volunteer_index:
            volunteer = problem.volunteers[problem.volunteer_index[p.volunteer_id]]
    phone = volunteer.phone if volunteer else ""
    return ProposalView(
        id=p.id,
        roster_id=p.roster_id,
        dataset_id=p.dataset_id,
        need_id=p.need_id,
        need_title=need.title if need else "",
        place=need.place if need else "",
        volunteer_id=p.volunteer_id,
        volunteer_name=volunteer.name if volunteer else "",
        phone=phone if personal else mask_phone(phone),
        role=p.role,
        date=p.date,
        start=format_minutes(p.start) if p.start is not None else None,
        end=format_minutes(p.end) if p.end is not None else None,
        state=p.state,  # type: ignore[arg-type]
        state_name=state_name(p.state),
        replaces_id=p.replaces_id,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def _detail(session: Session, p: Proposal, personal: bool) -> ProposalDetail:
    job = find_job(session, p.roster_id)
    view = _view(p, job_problem(job) if job else None, personal)
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


def _current_plan(session: Session, p: Proposal) -> SolveJob:
    """The proposal's roster, 409 unless it is still its dataset's plan of record."""
    job = _roster(session, p.roster_id)
    if job.superseded_at is not None or job.published_at is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _(
                "proposal {id} belongs to roster {roster}, which is no longer the plan of record"
            ).format(id=p.id, roster=p.roster_id),
        )
    return job


def _assignment(p: Proposal, volunteer_id: str | None = None) -> Assignment:
    return Assignment(
        need_id=p.need_id,
        volunteer_id=volunteer_id or p.volunteer_id,
        date=p.date,
        start=p.start,
        end=p.end,
        role=AssignmentRole.LEAD if p.role == AssignmentRole.LEAD.value else AssignmentRole.MEMBER,
    )


def _answer(
    session: Session,
    p: Proposal,
    confirm: bool,
    actor: str,
    key_id: int | None,
    note: str,
    notify: Notify,
) -> None:
    """Record an answer (and its notices) or answer 409; the caller audits and commits."""
    _current_plan(session, p)
    try:
        _event, notices = record_answer(session, p, confirm, actor, key_id=key_id, note=note)
    except TransitionError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    notify(session, notices, key_id)


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
    day: Annotated[dt.date | None, Query(alias="date", description="the service day")] = None,
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
        items=[_view(p, problem, personal) for p in page], total=total, offset=offset, limit=limit
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
    _answer(session, p, confirm, "coordinator", key.id, note, notify)
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
    job = _current_plan(session, p)
    problem = job_problem(job)
    holding = [_assignment(o) for o in open_proposals(session, job.id)]
    excluded = {o.volunteer_id for o in proposals_of_need(session, job.id, p.need_id)}
    travel = params_from_mapping(job.params or {}).travel_minutes_default
    found = find_replacements(problem, _assignment(p), holding, excluded, travel)
    listing = ReplacementList(
        proposal_id=p.id,
        need_id=p.need_id,
        candidates=[ReplacementView(**dataclasses.asdict(c)) for c in found.candidates],
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
        "caps; least loaded first. `nearest_out` names the nearest volunteers who cannot, "
        "with why. 409 unless the proposal is declined."
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
            session, p, job, _assignment(p, body.volunteer_id), key.id, body.note
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
    return Replaced(replaced=_view(p, problem, True), offered=_view(offered, problem, True))


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


# ----------------------------------------------------------------------- the volunteer's side


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
    _answer(session, p, confirm, "volunteer", None, note, notify)
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


def _my_proposals(session: Session, link: PersonalLink) -> MyProposals:
    plan, mine = _mine(session, link)
    problem = job_problem(plan) if plan else None
    name = ""
    if problem is not None and link.volunteer_id in problem.volunteer_index:
        name = problem.volunteers[problem.volunteer_index[link.volunteer_id]].name
    return MyProposals(
        dataset_id=link.dataset_id,
        volunteer_id=link.volunteer_id,
        volunteer_name=name,
        roster_id=plan.id if plan else None,
        items=[_view(p, problem, True) for p in mine],
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
    return _view(p, None, True)


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
    return _view(p, None, True)


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
    page = render_page(token, _my_proposals(session, link), done)
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


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
    held = [_assignment(p) for p in mine if p.state in (PROPOSED, CONFIRMED)]
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
    link = _link(session, token)
    mine = _my_proposals(session, link)
    page = render_page(token, mine, done)
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


# ----------------------------------------------------------------------- the page

_STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
margin:0;padding:12px;max-width:640px;margin-inline:auto;line-height:1.5;color:#1a1a1a}
h1{font-size:1.3rem;margin:.2em 0 .6em}
.card{border:1px solid #ccc;border-radius:8px;padding:12px;margin:0 0 12px}
.card h2{font-size:1.1rem;margin:0 0 .3em}
.state{display:inline-block;padding:0 .5em;border-radius:4px;background:#eee}
.confirmed{background:#d7f5dd}.declined,.cancelled,.replaced{background:#f8e0e0}
label{display:block;margin:.5em 0 .2em}
textarea{width:100%;box-sizing:border-box;font-size:1rem;min-height:3em}
.buttons{display:flex;gap:8px;margin-top:8px}
button{flex:1;font-size:1.05rem;padding:.7em;border-radius:6px;border:1px solid #888}
.yes{background:#1a7f37;color:#fff;border-color:#1a7f37}
.no{background:#fff;color:#b3261e;border-color:#b3261e}
.notice{padding:8px 12px;border-radius:6px;background:#eef4ff;margin-bottom:12px}
"""  # i18n: not shown: CSS


def _when(view: ProposalView) -> str:
    if view.date is None:
        return _("any time during the service period")
    day = view.date.isoformat()
    if view.start and view.end:
        return f"{day} {view.start}–{view.end}"
    return day


def _notice(done: str | None) -> str:
    texts = {
        "confirmed": _("Thank you: your confirmation is recorded."),
        "declined": _("Your decline is recorded; the coordinator will find someone else."),
        "conflict": _("That assignment changed meanwhile; here is where it stands now."),
    }
    text = texts.get(done or "")
    return f'<p class="notice" role="status">{html.escape(text)}</p>' if text else ""


def _card(token: str, view: ProposalView) -> str:
    esc = html.escape
    title = view.need_title or view.need_id
    when, where, role_word, status_word = _("When"), _("Where"), _("Role"), _("Status")
    role = _("team lead") if view.role == AssignmentRole.LEAD.value else _("team member")
    lines = [
        f'<section class="card" aria-labelledby="p{view.id}">',
        f'<h2 id="p{view.id}">{esc(title)}</h2>',
        f"<div>{esc(when)}: {esc(_when(view))}</div>",
    ]
    if view.place:
        lines.append(f"<div>{esc(where)}: {esc(view.place)}</div>")
    lines.append(f"<div>{esc(role_word)}: {esc(role)}</div>")
    lines.append(
        f'<div>{esc(status_word)}: <span class="state {esc(view.state)}">'
        f"{esc(view.state_name)}</span></div>"
    )
    if view.state in (PROPOSED, CONFIRMED):
        note_id = f"note{view.id}"
        note_label = _("Note (optional, e.g. why you cannot come)")
        yes, no = _("Confirm, I will come"), _("Decline, I cannot come")
        lines += [
            f'<form method="post" action="/me/{esc(token)}/answer">',
            f'<input type="hidden" name="proposal_id" value="{view.id}">',
            f'<label for="{note_id}">{esc(note_label)}</label>',
            f'<textarea id="{note_id}" name="note" maxlength="500"></textarea>',
            '<div class="buttons">',
        ]
        if view.state == PROPOSED:
            lines.append(
                f'<button class="yes" type="submit" name="action" value="confirm">'
                f"{esc(yes)}</button>"
            )
        lines += [
            f'<button class="no" type="submit" name="action" value="decline">{esc(no)}</button>',
            "</div></form>",
        ]
    lines.append("</section>")
    return "\n".join(lines)


def render_page(token: str, mine: MyProposals, done: str | None = None) -> str:
    """The volunteer's page: plain HTML and one form per assignment, no script, no CDN.

    Parameters
    ----------
    token
        The personal link's token (the forms post back to it).
    mine
        The volunteer's proposals in the plan of record.
    done
        What the last form did (``confirmed``, ``declined``, ``conflict``), to say so.

    Returns
    -------
    str
        The page, in the language in force.
    """
    esc = html.escape
    name = mine.volunteer_name or mine.volunteer_id
    heading = _("{name}'s volunteer assignments").format(name=name)
    body = [f"<h1>{esc(heading)}</h1>", _notice(done)]
    if not mine.items:
        nothing = _("You have no assignments in the published roster.")
        body.append(f"<p>{esc(nothing)}</p>")
    else:
        voluntary = _("Serving is voluntary: please confirm or decline each one in time.")
        calendar = _("Add my assignments to my phone calendar")
        body.append(f"<p>{esc(voluntary)}</p>")
        body += [_card(token, view) for view in mine.items]
        body.append(f'<p><a href="/me/{esc(token)}/calendar.ics">{esc(calendar)}</a></p>')
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{esc(heading)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>"
    )
