"""The SQL of proposals: a published assignment offered to its volunteer, and its events.

Serving is voluntary (志愿服务条例, article 25): publishing makes each
assignment of the roster a :class:`~api.store.models.Proposal` that its
volunteer confirms or declines, through their personal link or a
coordinator recording it for them.  Every change of state is a
:class:`~api.store.models.ProposalEvent` (who and when), and only the
changes in :data:`TRANSITIONS` are allowed.

A change is a guarded write (``UPDATE ... WHERE state = <the state read>``),
so two answers at the same moment (the volunteer on their phone and a
coordinator at the desk) cannot both win: the second finds the state moved
and gets a :class:`TransitionError`.

Notices: the functions that change states return the :class:`Notice` list
of what their volunteers (or coordinators) should be told; the outbox turns
them into messages.  Each event has one function building its notices
(:func:`notices_on_publish`, :func:`notices_on_decline`,
:func:`notices_on_replace`, :func:`notices_on_cancel`): that is where the
outbox plugs in.

The module runs past 500 lines on purpose: states, events, notices and the
personal links a volunteer answers through are one piece of SQL, kept together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from api.keys import hash_key, new_secret
from api.store import links
from api.store.models import (
    AuditEntry,
    PersonalLink,
    Proposal,
    ProposalEvent,
    ProposalState,
    SolveJob,
    utcnow,
)
from matcher.domain import Assignment
from matcher.i18n import N_, _

PROPOSED = ProposalState.PROPOSED.value
CONFIRMED = ProposalState.CONFIRMED.value
DECLINED = ProposalState.DECLINED.value
REPLACED = ProposalState.REPLACED.value
CANCELLED = ProposalState.CANCELLED.value

OPEN = (PROPOSED, CONFIRMED)
"""States in which the volunteer is still expected: they count on the plan and its loads."""

TRANSITIONS: dict[str, frozenset[str]] = {
    PROPOSED: frozenset({CONFIRMED, DECLINED, CANCELLED}),
    CONFIRMED: frozenset({DECLINED, CANCELLED}),
    DECLINED: frozenset({REPLACED}),
    REPLACED: frozenset(),
    CANCELLED: frozenset(),
}
"""The allowed changes of state; anything else is refused."""

STATE_NAMES = {
    PROPOSED: N_("proposed"),
    CONFIRMED: N_("confirmed"),
    DECLINED: N_("declined"),
    REPLACED: N_("replaced"),
    CANCELLED: N_("cancelled"),
}
"""A state as messages name it (the ``state`` field keeps the code)."""

ACTORS = ("volunteer", "coordinator", "system")

# Notes the service writes on events: stored as message ids, translated when read.
NOTE_PUBLISHED = N_("published: waiting for the volunteer's answer")
NOTE_KEPT = N_("the same assignment in the plan this one replaces: its answer is kept")
NOTE_CARRIED_CONFIRMED = N_("confirmed in the plan this one replaces: not asked again")
NOTE_PLAN_CHANGED = N_("no longer in the plan of record: a new roster was published")
NOTE_OFFERED_INSTEAD = N_("offered in place of a declined proposal")
NOTE_MIGRATED = N_("published before confirmations existed: unconfirmed")
NOTE_TIME_CHANGED = N_("the new plan moves this assignment to another time: asked again")
SYSTEM_NOTES = frozenset(
    {
        NOTE_PUBLISHED,
        NOTE_KEPT,
        NOTE_CARRIED_CONFIRMED,
        NOTE_PLAN_CHANGED,
        NOTE_OFFERED_INSTEAD,
        NOTE_MIGRATED,
        NOTE_TIME_CHANGED,
    }
)


def state_name(state: str) -> str:
    """A proposal state in the language in force (an unknown one as it is)."""
    return _(STATE_NAMES[state]) if state in STATE_NAMES else state


def shown_note(event: ProposalEvent) -> str:
    """An event's note as a reader sees it: the service's own notes translated."""
    return _(event.note) if event.note in SYSTEM_NOTES else event.note


class TransitionError(Exception):
    """A change of state that is not allowed from the proposal's present state."""


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    """Someone should be told about a proposal: the outbox makes a message of it.

    ``kind`` is ``proposal`` (a new assignment to answer), ``declined``
    (the coordinators: find a replacement), ``cancelled`` (the assignment
    left the plan), ``replaced`` (their decline was handled) or
    ``time_changed`` (the same service at another time: ``proposal_id`` is
    the new proposal, ``previous_id`` the one it replaces).
    """

    kind: str
    proposal_id: int
    dataset_id: int | None
    volunteer_id: str
    previous_id: int | None = None


# ----------------------------------------------------------------------- notices


def notices_on_publish(made: Sequence[Proposal]) -> list[Notice]:
    """What publishing has to tell: each volunteer asked for the first time gets a proposal."""
    return [Notice("proposal", p.id, p.dataset_id, p.volunteer_id) for p in made]


def notices_on_decline(proposal: Proposal) -> list[Notice]:
    """What a decline has to tell: the coordinators, who look for a replacement."""
    return [Notice("declined", proposal.id, proposal.dataset_id, proposal.volunteer_id)]


def notices_on_replace(declined: Proposal, offered: Proposal) -> list[Notice]:
    """What a replacement has to tell: the new volunteer gets a proposal."""
    return [
        Notice("proposal", offered.id, offered.dataset_id, offered.volunteer_id),
        Notice("replaced", declined.id, declined.dataset_id, declined.volunteer_id),
    ]


def notices_on_time_change(moved: Sequence[tuple[Proposal, Proposal]]) -> list[Notice]:
    """What a new plan has to tell of a service moved in time: one notice, old and new time."""
    return [
        Notice("time_changed", new.id, new.dataset_id, new.volunteer_id, previous_id=old.id)
        for old, new in moved
    ]


def notices_on_cancel(cancelled: Sequence[Proposal]) -> list[Notice]:
    """What a new plan has to tell: each volunteer whose assignment left it gets a change notice."""
    return [Notice("cancelled", p.id, p.dataset_id, p.volunteer_id) for p in cancelled]


# ----------------------------------------------------------------------- making


def _event(
    session: Session,
    proposal: Proposal,
    state: str,
    actor: str,
    key_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> ProposalEvent:
    event = ProposalEvent(
        proposal_id=proposal.id,
        state=state,
        actor=actor,
        key_id=key_id,
        note=note,
        at=at or utcnow(),
    )
    session.add(event)
    return event


def add_proposal(
    session: Session,
    roster: SolveJob,
    assignment: Assignment,
    *,
    state: str = PROPOSED,
    actor: str = "system",
    key_id: int | None = None,
    note: str = NOTE_PUBLISHED,
    replaces_id: int | None = None,
    at: dt.datetime | None = None,
) -> Proposal:
    """Store one proposal of ``roster`` with its first event (flushed, so it has its id).

    Parameters
    ----------
    session
        The open session; the caller commits.
    roster
        The published roster the assignment is in.
    assignment
        Need, volunteer, role, date and times, copied onto the proposal.
    state, actor, key_id, note
        Its first state and the event saying who set it.
    replaces_id
        The declined proposal this one takes over, if any.
    at
        When (default now).

    Returns
    -------
    Proposal
        The new proposal.
    """
    now = at or utcnow()
    proposal = Proposal(
        roster_id=roster.id,
        dataset_id=roster.dataset_id,
        need_id=assignment.need_id,
        volunteer_id=assignment.volunteer_id,
        role=str(assignment.role),
        date=assignment.date,
        start=assignment.start,
        end=assignment.end,
        state=state,
        replaces_id=replaces_id,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    session.flush()
    _event(session, proposal, state, actor, key_id, note, now)
    return proposal


@dataclasses.dataclass(frozen=True, slots=True)
class PlanProposals:
    """What publishing did to proposals.

    ``made``: asked anew (``moved`` of them are the same service at another
    time, told as a change of time); ``kept``: the answer carried over;
    ``cancelled``: left the plan.
    """

    made: int
    kept: int
    cancelled: int
    moved: int
    notices: tuple[Notice, ...]


def _same_key(p: Proposal) -> tuple[str, str, dt.date | None, int | None, int | None]:
    return (p.need_id, p.volunteer_id, p.date, p.start, p.end)


def _moved_in_time(
    session: Session,
    fresh: Sequence[tuple[Assignment, Proposal]],
    earlier: Iterable[Proposal],
    matched: set[int],
    at: dt.datetime,
) -> tuple[list[Proposal], list[tuple[Proposal, Proposal]]]:
    """Split new proposals into new services and services moved in time.

    The same volunteer on the same need at another time gets one "moved"
    notice, not a cancellation and a new proposal that read as two unrelated
    services; the earlier proposal is cancelled with that note and added to
    ``matched``.  Returns the new and the (earlier, new) moved proposals.
    """
    open_by_pair = {
        (old.need_id, old.volunteer_id): old
        for old in earlier
        if old.id not in matched and old.state in OPEN
    }
    made: list[Proposal] = []
    moved: list[tuple[Proposal, Proposal]] = []
    for assignment, new in fresh:
        old = open_by_pair.pop((assignment.need_id, assignment.volunteer_id), None)
        if old is None:
            made.append(new)
            continue
        matched.add(old.id)
        old.state, old.updated_at = CANCELLED, at
        _event(session, old, CANCELLED, "system", note=NOTE_TIME_CHANGED, at=at)
        moved.append((old, new))
    return made, moved


def propose_roster(
    session: Session,
    roster: SolveJob,
    roster_assignments: Iterable[Assignment],
    previous: SolveJob | None,
    at: dt.datetime,
) -> PlanProposals:
    """Make the proposals of a roster being published; carry over and cancel the previous plan's.

    An assignment identical in ``previous`` (same need, volunteer, date and
    times) keeps the answer given there: a confirmed volunteer is not asked
    again, a decline stays a decline (one replaced stays declined here, for
    the coordinator to fill again), a proposal still waiting keeps waiting.
    Every other assignment is proposed anew.  The previous plan's open
    proposals the new roster lacks are cancelled.  The caller commits.

    Parameters
    ----------
    session
        The publishing session (it holds the dataset's write lock).
    roster
        The roster being published.
    roster_assignments
        Its assignments.
    previous
        The plan of record it supersedes, if any.
    at
        The publishing time, on every event.

    Returns
    -------
    PlanProposals
        Counts and the notices to send.
    """
    earlier: dict[tuple[str, str, dt.date | None, int | None, int | None], Proposal] = {}
    if previous is not None:
        for p in session.scalars(select(Proposal).where(Proposal.roster_id == previous.id)):
            earlier[_same_key(p)] = p
    fresh: list[tuple[Assignment, Proposal]] = []
    kept = 0
    matched: set[int] = set()
    for assignment in roster_assignments:
        key = (
            assignment.need_id,
            assignment.volunteer_id,
            assignment.date,
            assignment.start,
            assignment.end,
        )
        old = earlier.get(key)
        if old is not None and old.state != CANCELLED:
            matched.add(old.id)
            state = DECLINED if old.state == REPLACED else old.state
            note = NOTE_CARRIED_CONFIRMED if state == CONFIRMED else NOTE_KEPT
            add_proposal(session, roster, assignment, state=state, note=note, at=at)
            kept += 1
        else:
            fresh.append((assignment, add_proposal(session, roster, assignment, at=at)))
    made, moved = _moved_in_time(session, fresh, earlier.values(), matched, at)
    cancelled: list[Proposal] = []
    for old in earlier.values():
        if old.id not in matched and old.state in OPEN:
            old.state, old.updated_at = CANCELLED, at
            _event(session, old, CANCELLED, "system", note=NOTE_PLAN_CHANGED, at=at)
            cancelled.append(old)
    session.flush()
    return PlanProposals(
        made=len(made) + len(moved),
        kept=kept,
        cancelled=len(cancelled),
        moved=len(moved),
        notices=(
            *notices_on_publish(made),
            *notices_on_time_change(moved),
            *notices_on_cancel(cancelled),
        ),
    )


# ----------------------------------------------------------------------- reading


def find_proposal(session: Session, proposal_id: int, fresh: bool = False) -> Proposal | None:
    """The proposal with this id, or None (``fresh``: read again from the database)."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return session.scalar(query)


def events_of(session: Session, proposal_id: int) -> list[ProposalEvent]:
    """The events of a proposal, oldest first."""
    return list(
        session.scalars(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal_id)
            .order_by(ProposalEvent.at, ProposalEvent.id)
        )
    )


def proposal_page(
    session: Session,
    roster_id: int,
    *,
    state: str | None = None,
    volunteer_id: str | None = None,
    date: dt.date | None = None,
    offset: int = 0,
    limit: int = 500,
) -> tuple[int, list[Proposal]]:
    """The proposals of a roster matching the filters: their count and one page, by date."""
    where: list[ColumnElement[bool]] = [Proposal.roster_id == roster_id]
    if state is not None:
        where.append(Proposal.state == state)
    if volunteer_id is not None:
        where.append(Proposal.volunteer_id == volunteer_id)
    if date is not None:
        where.append(Proposal.date == date)
    total = session.scalar(select(func.count()).select_from(Proposal).where(*where)) or 0
    page = session.scalars(
        select(Proposal)
        .where(*where)
        .order_by(Proposal.date, Proposal.start, Proposal.need_id, Proposal.id)
        .offset(offset)
        .limit(limit)
    )
    return total, list(page)


def proposals_of_volunteer(session: Session, roster_id: int, volunteer_id: str) -> list[Proposal]:
    """A volunteer's proposals in a roster, by date and time."""
    return proposal_page(session, roster_id, volunteer_id=volunteer_id, limit=10_000)[1]


def open_proposals(session: Session, roster_id: int) -> list[Proposal]:
    """The proposals of a roster still expected to be served (proposed or confirmed)."""
    return list(
        session.scalars(
            select(Proposal)
            .where(Proposal.roster_id == roster_id, Proposal.state.in_(OPEN))
            .order_by(Proposal.id)
        )
    )


def asked_since(
    session: Session, dataset_id: int, volunteer_ids: Iterable[str], since: dt.datetime
) -> dict[str, int]:
    """How many proposals each volunteer was made in the dataset since ``since``.

    Coordinators choosing a replacement ask first whoever was asked least
    recently: a volunteer asked every week wears out.
    """
    wanted = list(volunteer_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Proposal.volunteer_id, func.count())
        .where(
            Proposal.dataset_id == dataset_id,
            Proposal.volunteer_id.in_(wanted),
            Proposal.created_at >= since,
        )
        .group_by(Proposal.volunteer_id)
    )
    return {volunteer_id: int(count) for volunteer_id, count in rows}


def proposals_of_need(session: Session, roster_id: int, need_id: str) -> list[Proposal]:
    """Every proposal of a need in a roster, whatever its state."""
    return list(
        session.scalars(
            select(Proposal).where(Proposal.roster_id == roster_id, Proposal.need_id == need_id)
        )
    )


# ----------------------------------------------------------------------- changing


def change_state(
    session: Session,
    proposal: Proposal,
    state: str,
    actor: str,
    *,
    key_id: int | None = None,
    note: str = "",
) -> ProposalEvent:
    """Move a proposal to ``state`` with an event saying who and why; the caller commits.

    Raises
    ------
    TransitionError
        When the change is not in :data:`TRANSITIONS` from the proposal's
        state as stored now (read again: someone may have answered meanwhile).
    """
    assert actor in ACTORS, actor
    current = proposal.state
    if state not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(_transition_message(proposal.id, current, state))
    now = utcnow()
    result = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == current)
        .values(state=state, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        fresh = find_proposal(session, proposal.id, fresh=True)
        raise TransitionError(
            _transition_message(proposal.id, fresh.state if fresh else current, state)
        )
    proposal.state, proposal.updated_at = state, now
    return _event(session, proposal, state, actor, key_id, note, now)


def _transition_message(proposal_id: int, current: str, wanted: str) -> str:
    if current == wanted:
        return _("proposal {id} is already {state}").format(
            id=proposal_id, state=state_name(current)
        )
    allowed = TRANSITIONS.get(current, frozenset())
    if not allowed:
        return _("proposal {id} is {state}: it can no longer change").format(
            id=proposal_id, state=state_name(current)
        )
    return _("proposal {id} is {state}; it cannot become {wanted} (only {allowed})").format(
        id=proposal_id,
        state=state_name(current),
        wanted=state_name(wanted),
        allowed=_(", ").join(state_name(s) for s in STATE_NAMES if s in allowed),
    )


def record_answer(
    session: Session,
    proposal: Proposal,
    confirm: bool,
    actor: str,
    *,
    key_id: int | None = None,
    note: str = "",
) -> tuple[ProposalEvent, list[Notice]]:
    """Record a volunteer's confirmation or decline; the event and the notices to send.

    Raises
    ------
    TransitionError
        When the proposal cannot take that answer now.
    """
    event = change_state(
        session, proposal, CONFIRMED if confirm else DECLINED, actor, key_id=key_id, note=note
    )
    return event, [] if confirm else notices_on_decline(proposal)


def replace(
    session: Session,
    declined: Proposal,
    roster: SolveJob,
    assignment: Assignment,
    key_id: int,
    note: str = "",
) -> tuple[Proposal, list[Notice]]:
    """Give a declined proposal to another volunteer: it becomes replaced, a new one is proposed.

    ``assignment`` is the declined one's with the new volunteer; the caller
    checked they are a candidate, and commits.

    Raises
    ------
    TransitionError
        When the proposal is no longer declined (replaced meanwhile).
    """
    change_state(session, declined, REPLACED, "coordinator", key_id=key_id, note=note)
    offered = add_proposal(
        session,
        roster,
        assignment,
        actor="coordinator",
        key_id=key_id,
        note=NOTE_OFFERED_INSTEAD,
        replaces_id=declined.id,
    )
    return offered, notices_on_replace(declined, offered)


# ----------------------------------------------------------------------- personal links


def add_personal_link(
    session: Session,
    dataset_id: int,
    volunteer_id: str,
    prefix: str,
    token_hash: str,
    created_by: int | None,
) -> PersonalLink:
    """Store a personal link (flushed, so it has its id and time)."""
    return links.add_link(
        session, PersonalLink, dataset_id, volunteer_id, prefix, token_hash, created_by
    )


PERSONAL_LINK_SCHEME = "me"
"""The scheme of personal-link tokens (``me_<prefix>_<secret>``)."""


def issue_personal_link(
    session: Session, dataset_id: int, volunteer_id: str, created_by: int | None
) -> tuple[PersonalLink, str]:
    """A new personal link and its token, which is stored hashed and so shown only now."""
    token, prefix = new_secret(PERSONAL_LINK_SCHEME)
    link = add_personal_link(session, dataset_id, volunteer_id, prefix, hash_key(token), created_by)
    return link, token


def personal_link_by_prefix(session: Session, prefix: str) -> PersonalLink | None:
    """The personal link with this prefix (revoked or not), None when there is none."""
    return links.link_by_prefix(session, PersonalLink, prefix)


def revoke_personal_links(session: Session, dataset_id: int, volunteer_id: str) -> int:
    """Close every open personal link of the volunteer; how many were open."""
    return links.revoke_links(session, PersonalLink, dataset_id, volunteer_id)


def audit_link(session: Session, action: str, target: str, **detail: object) -> None:
    """Record in the audit log a write made through a personal link (no API key)."""
    session.add(AuditEntry(key_id=None, action=action, target=target[:200], detail=detail))
