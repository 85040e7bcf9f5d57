"""Notices of proposals into the outbox: who is told what, in which words, once.

The proposal store says *who should be told* (:class:`api.store.proposals.Notice`:
a new proposal, a decline, a replacement, a cancellation); this module
writes each as an outbox message (:mod:`api.store.outbox`), in the same
transaction as the change it tells of, with the text of :mod:`api.notices`
and the channel the configured senders reach the volunteer by
(:func:`api.outbox.channel_for`).  The outbox key makes each notice once
only: ``proposal:{id}``, ``declined:{id}``, ``change:{id}:{kind}`` (a change of
time is keyed by the new proposal).

A proposal's message carries the volunteer's personal link: tokens are
stored hashed, so a new link is made for each volunteer told (earlier links
keep working until revoked).  A decline goes to the coordinators' group
(the WeChat robot's channel, no one mentioned), where someone picks a
replacement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from api.exports import job_problem
from api.notices import change_notice, proposal_notice, when_text
from api.outbox import channel_for
from api.store.models import Proposal, SolveJob
from api.store.outbox import enqueue
from api.store.proposals import Notice, issue_personal_link
from matcher.domain import Problem
from matcher.i18n import _

Notify = Callable[[Session, Sequence[Notice], int | None], int]
"""Write notices as outbox messages: ``notify(session, notices, created_by)``."""


def notifier(request: Request) -> Notify:
    """The route dependency: :func:`send_notices` bound to this service."""

    def notify(session: Session, notices: Sequence[Notice], created_by: int | None) -> int:
        return send_notices(session, request.app, notices, created_by)

    return notify


Notifier = Annotated[Notify, Depends(notifier)]


def send_notices(
    session: Session, app: FastAPI, notices: Sequence[Notice], created_by: int | None
) -> int:
    """Write the outbox messages of ``notices``; the caller commits with its change.

    Parameters
    ----------
    session
        The session of the change the notices tell of.
    app
        The service (its outbox worker's senders and the public URL of links).
    notices
        What the proposal store said should be told.
    created_by
        The key whose action it was, recorded on the personal links made.

    Returns
    -------
    int
        How many messages were written (a key already in the outbox adds none).
    """
    told = _Telling(session, app, created_by)
    written = 0
    for notice in notices:
        proposal = session.get(Proposal, notice.proposal_id)
        if proposal is None or proposal.dataset_id is None:
            continue
        message = told.message(notice, proposal)
        if message is None:
            continue
        key, (channel, recipient), (subject, body) = message
        written += (
            enqueue(
                session,
                key,
                notice.kind,
                channel,
                recipient,
                subject,
                body,
                dataset_id=proposal.dataset_id,
                proposal_id=proposal.id,
            )
            is not None
        )
    return written


class _Telling:
    """What one batch of notices needs: the rosters' problems, the links made so far."""

    def __init__(self, session: Session, app: FastAPI, created_by: int | None) -> None:
        self.session = session
        self.senders = app.state.outbox.senders
        self.public_url = app.state.settings.public_url
        self.created_by = created_by
        self.problems: dict[int, Problem | None] = {}
        self.links: dict[tuple[int, str], str] = {}

    def problem(self, roster_id: int) -> Problem | None:
        if roster_id not in self.problems:
            job = self.session.get(SolveJob, roster_id)
            self.problems[roster_id] = job_problem(job) if job is not None else None
        return self.problems[roster_id]

    def link(self, dataset_id: int, volunteer_id: str) -> str:
        """A new personal link of the volunteer (one per batch): tokens are stored hashed."""
        if (dataset_id, volunteer_id) not in self.links:
            _link, token = issue_personal_link(
                self.session, dataset_id, volunteer_id, self.created_by
            )
            self.links[(dataset_id, volunteer_id)] = f"{self.public_url}/me/{token}"
        return self.links[(dataset_id, volunteer_id)]

    def message(
        self, notice: Notice, proposal: Proposal
    ) -> tuple[str, tuple[str, str], tuple[str, str]] | None:
        """The key, channel and recipient, subject and body of one notice (None: no way)."""
        kind = notice.kind
        problem = self.problem(proposal.roster_id)
        if problem is None or proposal.dataset_id is None:
            return None
        # by the problem's own indexes: a publish tells every volunteer on the roster
        volunteer = (
            problem.volunteer(proposal.volunteer_id)
            if proposal.volunteer_id in problem.volunteer_index
            else None
        )
        need = problem.need(proposal.need_id) if proposal.need_id in problem.need_index else None
        name = volunteer.name if volunteer else proposal.volunteer_id
        title = need.title if need else proposal.need_id
        place = (need.location or problem.need_area(need)) if need else ""
        when = when_text(proposal.date, proposal.start, proposal.end)
        if kind == "declined":
            # to the coordinators' group: nobody in particular is mentioned
            target = channel_for(self.senders, "", "")
            subject = _("{name} declined {need}").format(name=name, need=title)
            body = _(
                "{name} declined {need} ({when}). Pick a replacement: "
                "{url}/proposals/{id}/replacements"
            ).format(name=name, need=title, when=when, url=self.public_url, id=proposal.id)
            return (f"declined:{proposal.id}", target, (subject, body)) if target else None
        target = channel_for(
            self.senders, volunteer.email if volunteer else "", volunteer.phone if volunteer else ""
        )
        if target is None:
            return None
        if kind == "proposal":
            text = proposal_notice(
                volunteer_name=name,
                need_title=title,
                date=proposal.date,
                start=proposal.start,
                end=proposal.end,
                place=place,
                role=proposal.role,
                link=self.link(proposal.dataset_id, proposal.volunteer_id),
            )
            return f"proposal:{proposal.id}", target, text
        if kind == "time_changed":
            was = self.session.get(Proposal, notice.previous_id) if notice.previous_id else None
            text = change_notice(
                volunteer_name=name,
                need_title=title,
                change=kind,
                date=was.date if was else None,
                start=was.start if was else None,
                end=was.end if was else None,
                place=place,
                new_date=proposal.date,
                new_start=proposal.start,
                new_end=proposal.end,
                link=self.link(proposal.dataset_id, proposal.volunteer_id),
            )
            return f"change:{proposal.id}:{kind}", target, text
        text = change_notice(  # cancelled, replaced
            volunteer_name=name,
            need_title=title,
            change=kind,
            date=proposal.date,
            start=proposal.start,
            end=proposal.end,
            place=place,
        )
        return f"change:{proposal.id}:{kind}", target, text
