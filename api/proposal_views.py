"""Proposals as the routes show and change them, shared by coordinators' and volunteers' routes.

The coordinators' routes (:mod:`api.routes.proposals`) and the volunteer's own
routes behind a personal link (:mod:`api.routes.me`) show a proposal the same
way and record an answer under the same rules; this is that one place.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.masking import mask_phone
from api.notify import Notify
from api.proposal_schemas import ProposalView
from api.store.jobs import find_job
from api.store.models import Proposal, SolveJob
from api.store.proposals import TransitionError, record_answer, state_name
from matcher.domain import Assignment, AssignmentRole, Problem, format_minutes
from matcher.i18n import _


def proposal_view(p: Proposal, problem: Problem | None, personal: bool) -> ProposalView:
    """A proposal as the API shows it; the phone masked unless ``personal``."""
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


def current_plan(session: Session, p: Proposal) -> SolveJob:
    """The proposal's roster, 409 unless it is still its dataset's plan of record."""
    job = find_job(session, p.roster_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no roster {id}").format(id=p.roster_id))
    if job.superseded_at is not None or job.published_at is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _(
                "proposal {id} belongs to roster {roster}, which is no longer the plan of record"
            ).format(id=p.id, roster=p.roster_id),
        )
    return job


def assignment_of(p: Proposal, volunteer_id: str | None = None) -> Assignment:
    """The roster assignment a proposal stands for (given to ``volunteer_id`` if named)."""
    return Assignment(
        need_id=p.need_id,
        volunteer_id=volunteer_id or p.volunteer_id,
        date=p.date,
        start=p.start,
        end=p.end,
        role=AssignmentRole.LEAD if p.role == AssignmentRole.LEAD.value else AssignmentRole.MEMBER,
    )


def answer_proposal(
    session: Session,
    p: Proposal,
    confirm: bool,
    actor: str,
    key_id: int | None,
    note: str,
    notify: Notify,
) -> None:
    """Record an answer (and its notices) or answer 409; the caller audits and commits."""
    current_plan(session, p)
    try:
        _event, notices = record_answer(session, p, confirm, actor, key_id=key_id, note=note)
    except TransitionError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    notify(session, notices, key_id)
