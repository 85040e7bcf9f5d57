"""A team lead's day: their team, and arrivals marked through their personal link.

Attendance is recorded "by the team lead or coordinator one by one" (issue
14).  A lead has no API key: the personal link that opens their own
assignments also opens the teams they lead in the plan of record, and lets
them mark each member arrived, late, left early or no-show.  The entry
names the lead (``recorded_by_volunteer``, source ``lead``); a second tap
with another status is a correction that supersedes the first, never an
overwrite, so the ledger keeps both (志愿服务记录与证明出具办法: true,
accurate, complete, timely).

The rules of recording (the day rule, states, times) are the ledger's own
(:mod:`api.store.attendance`); this module only decides *which* proposals a
lead may mark and fills the times a tap implies.
"""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.attendance_schemas import MyTeams, TeamDay, TeamMember
from api.store.attendance import (
    RECORDABLE,
    SHANGHAI,
    AttendanceRefusedError,
    Refusal,
    correct_attendance,
    current_entries,
    current_entry,
    find_proposal,
    record_attendance,
)
from api.store.models import AttendanceEntry, Proposal, SolveJob
from api.store.proposals import (
    CANCELLED,
    REPLACED,
    proposals_of_need,
    proposals_of_volunteer,
    state_name,
)
from api.validation import unprocessable
from matcher.attendance import STATUS_NAMES, AttendanceStatus
from matcher.domain import AssignmentRole, Problem, format_minutes
from matcher.i18n import N_, _

LEAD_CORRECTION = N_("changed by the team lead on the day")
"""The reason a lead's second tap gives its correction."""


def refused(error: AttendanceRefusedError) -> NoReturn:
    """The HTTP answer of a write the attendance ledger refused (422, 404 or 409)."""
    if error.kind is Refusal.INVALID:
        raise unprocessable([((error.field or "status",), error.message)]) from None
    code = (
        status.HTTP_404_NOT_FOUND if error.kind is Refusal.NOT_FOUND else status.HTTP_409_CONFLICT
    )
    raise HTTPException(code, error.message) from None


def _led(session: Session, plan: SolveJob, lead_id: str) -> list[Proposal]:
    """The lead's own open lead assignments in the plan of record."""
    return [
        p
        for p in proposals_of_volunteer(session, plan.id, lead_id)
        if p.role == AssignmentRole.LEAD.value and p.state in RECORDABLE
    ]


def _same_service(p: Proposal, lead: Proposal) -> bool:
    return (p.need_id, p.date, p.start) == (lead.need_id, lead.date, lead.start)


def _member(p: Proposal, entry: AttendanceEntry | None, problem: Problem | None) -> TeamMember:
    volunteer = None
    if problem is not None and p.volunteer_id in problem.volunteer_index:
        volunteer = problem.volunteer(p.volunteer_id)
    recorded = AttendanceStatus(entry.status) if entry is not None else None
    return TeamMember(
        proposal_id=p.id,
        volunteer_id=p.volunteer_id,
        volunteer_name=volunteer.name if volunteer else "",
        phone=volunteer.phone if volunteer else "",
        role=p.role,
        state=p.state,
        state_name=state_name(p.state),
        attendance=recorded.value if recorded else None,
        attendance_name=_(STATUS_NAMES[recorded]) if recorded else None,
        entry_id=entry.id if entry is not None else None,
        start=format_minutes(entry.actual_start) or None if entry is not None else None,
        end=format_minutes(entry.actual_end) or None if entry is not None else None,
    )


def lead_teams(
    session: Session,
    plan: SolveJob | None,
    problem: Problem | None,
    lead_id: str,
    volunteer_name: str,
    today: dt.date,
) -> MyTeams:
    """The teams ``lead_id`` leads in the plan of record, each with its members' records.

    A member whose assignment went to someone else (replaced) or left the
    plan (cancelled) is not shown: the one who took it over is.  A declined
    member is shown, so the lead knows who will not come.

    Parameters
    ----------
    session
        The request's session.
    plan
        The dataset's plan of record (None: nothing published, no teams).
    problem
        Its problem, for names, titles and phones.
    lead_id
        The personal link's volunteer.
    volunteer_name
        Their name, as the answer shows it.
    today
        Beijing's date: a team is ``recordable`` on its day and after.

    Returns
    -------
    MyTeams
        In date and time order.
    """
    teams: list[TeamDay] = []
    if plan is not None:
        for lead in sorted(
            _led(session, plan, lead_id), key=lambda p: (p.date or dt.date.max, p.start or 0)
        ):
            members = [
                p
                for p in proposals_of_need(session, plan.id, lead.need_id)
                if _same_service(p, lead) and p.state not in (CANCELLED, REPLACED)
            ]
            # the lead first, then the others by id (the order they were proposed)
            members.sort(key=lambda p: (p.volunteer_id != lead_id, p.id))
            entries = current_entries(session, [p.id for p in members])
            need = (
                problem.need(lead.need_id)
                if problem and lead.need_id in problem.need_index
                else None
            )
            teams.append(
                TeamDay(
                    lead_proposal_id=lead.id,
                    need_id=lead.need_id,
                    need_title=need.title if need else "",
                    place=(need.location or problem.need_area(need)) if need and problem else "",
                    date=lead.date,
                    start=format_minutes(lead.start) if lead.start is not None else None,
                    end=format_minutes(lead.end) if lead.end is not None else None,
                    recordable=lead.date is None or lead.date <= today,
                    members=[_member(p, entries.get(p.id), problem) for p in members],
                )
            )
    return MyTeams(volunteer_id=lead_id, volunteer_name=volunteer_name, teams=teams)


def team_member(
    session: Session, plan: SolveJob | None, lead_id: str, proposal_id: int
) -> Proposal:
    """A proposal the lead may mark: in a team they lead in the plan of record; 404 otherwise."""
    p = find_proposal(session, proposal_id)
    if (
        p is not None
        and plan is not None
        and p.roster_id == plan.id
        and any(_same_service(p, lead) for lead in _led(session, plan, lead_id))
    ):
        return p
    raise HTTPException(
        status.HTTP_404_NOT_FOUND,
        _("no proposal {id} in a team you lead").format(id=proposal_id),
    )


def _times(
    p: Proposal, parsed: AttendanceStatus, now: dt.datetime
) -> tuple[int | None, int | None]:
    """The actual times a tap implies: late from now, left early at now, on the day itself.

    Any other day, or outside the planned span, the planned times stand
    (a coordinator corrects them with the exact times if need be).
    """
    local = now.astimezone(SHANGHAI)
    minute = local.hour * 60 + local.minute
    on_the_day = p.date == local.date() and p.start is not None and p.end is not None
    if on_the_day and p.start is not None and p.end is not None and p.start < minute < p.end:
        if parsed is AttendanceStatus.LATE:
            return minute, None
        if parsed is AttendanceStatus.LEFT_EARLY:
            return None, minute
    return None, None


def mark(
    session: Session, p: Proposal, status_code: str, lead_id: str, now: dt.datetime
) -> AttendanceEntry:
    """Record what the lead saw for one member (flushed; the caller commits).

    The first tap records; the same status again changes nothing (a page
    reloaded, a double tap); another status corrects the current entry with
    :data:`LEAD_CORRECTION` as its reason.

    Raises
    ------
    AttendanceRefusedError
        As :func:`api.store.attendance.record_attendance` (not on the day
        yet, a declined member, an unknown status...).
    """
    try:
        parsed = AttendanceStatus(status_code)
    except ValueError:
        parsed = None
    start, end = _times(p, parsed, now) if parsed is not None else (None, None)
    current = current_entry(session, p.id)
    if current is None:
        return record_attendance(
            session,
            p.id,
            status=status_code,
            start=start,
            end=end,
            source="lead",
            now=now,
            by_volunteer=lead_id,
        )
    if current.status == status_code:
        return current
    return correct_attendance(
        session,
        current.id,
        status=status_code,
        start=start,
        end=end,
        reason=_(LEAD_CORRECTION),
        source="lead",
        by_volunteer=lead_id,
    )
