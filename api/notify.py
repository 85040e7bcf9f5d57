"""Notices of proposals into the outbox: who is told what, in which words, once.

The proposal store says *who should be told* (:class:`api.store.proposals.Notice`:
a new proposal, a decline, a replacement, a cancellation); this module
writes each as an outbox message (:mod:`api.store.outbox`), in the same
transaction as the change it tells of, with the text of :mod:`api.notices`
and the channel the configured senders reach the volunteer by
(:func:`api.outbox.channel_for`).  The outbox key makes each notice once
only: ``proposal:{id}``, ``declined:{id}``, ``change:{id}:{kind}``.

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
from api.keys import hash_key, new_secret
from api.notices import change_notice, proposal_notice, when_text
from api.outbox import channel_for
from api.store.models import Proposal, SolveJob
from api.store.outbox import enqueue
from api.store.proposals import Notice, add_personal_link
from matcher.domain import Problem
from matcher.i18n import _

PERSONAL_LINK_SCHEME = "me"
"""The scheme of personal-link tokens (``me_<prefix>_<secret>``)."""


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
    senders = app.state.outbox.senders
    public_url = app.state.settings.public_url
    problems: dict[int, Problem] = {}
    links: dict[tuple[int, str], str] = {}
    written = 0
    for notice in notices:
        proposal = session.get(Proposal, notice.proposal_id)
        if proposal is None or proposal.dataset_id is None:
            continue
        if proposal.roster_id not in problems:
            job = session.get(SolveJob, proposal.roster_id)
            if job is None:
                continue
            problems[proposal.roster_id] = job_problem(job)
        problem = problems[proposal.roster_id]
        volunteer = next((v for v in problem.volunteers if v.id == proposal.volunteer_id), None)
        need = next((n for n in problem.needs if n.id == proposal.need_id), None)
        name = volunteer.name if volunteer else proposal.volunteer_id
        title = need.title if need else proposal.need_id
        place = (need.location or problem.need_area(need)) if need else ""
        if notice.kind == "declined":
            # to the coordinators' group: nobody in particular is mentioned
            target = channel_for(senders, "", "")
            key = f"declined:{proposal.id}"
            subject = _("{name} declined {need}").format(name=name, need=title)
            body = _(
                "{name} declined {need} ({when}). Pick a replacement: "
                "{url}/proposals/{id}/replacements"
            ).format(
                name=name,
                need=title,
                when=when_text(proposal.date, proposal.start, proposal.end),
                url=public_url,
                id=proposal.id,
            )
        else:
            target = channel_for(
                senders,
                volunteer.email if volunteer else "",
                volunteer.phone if volunteer else "",
            )
            if target is None:
                continue
            if notice.kind == "proposal":
                key = f"proposal:{proposal.id}"
                link = links.get((proposal.dataset_id, proposal.volunteer_id))
                if link is None:
                    token, prefix = new_secret(PERSONAL_LINK_SCHEME)
                    add_personal_link(
                        session,
                        proposal.dataset_id,
                        proposal.volunteer_id,
                        prefix,
                        hash_key(token),
                        created_by,
                    )
                    link = links[(proposal.dataset_id, proposal.volunteer_id)] = (
                        f"{public_url}/me/{token}"
                    )
                subject, body = proposal_notice(
                    volunteer_name=name,
                    need_title=title,
                    date=proposal.date,
                    start=proposal.start,
                    end=proposal.end,
                    place=place,
                    role=proposal.role,
                    link=link,
                )
            else:  # cancelled, replaced
                key = f"change:{proposal.id}:{notice.kind}"
                subject, body = change_notice(
                    volunteer_name=name,
                    need_title=title,
                    change=notice.kind,
                    date=proposal.date,
                    start=proposal.start,
                    end=proposal.end,
                    place=place,
                )
        if target is None:
            continue
        message = enqueue(
            session,
            key,
            notice.kind,
            target[0],
            target[1],
            subject,
            body,
            dataset_id=proposal.dataset_id,
            proposal_id=proposal.id,
        )
        written += message is not None
    return written
