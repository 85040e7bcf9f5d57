"""A stored roster as files: CSV and XLSX (:mod:`matcher.io.roster`, as ``matcher solve``
writes them), iCalendar, and the files for people: the roster workbook
(:mod:`matcher.io.roster_book`) and the group-chat texts (:mod:`matcher.io.chat`).

Personal data in the files for people: coordinators and admins see phones
and addresses as stored; viewers see them masked by :mod:`api.masking`
(:data:`VIEWER_MASKS`), never dropped, so a viewer still sees that a lead
has a phone.

iCalendar: one VEVENT per assignment.  Timed needs are events in the
``Asia/Shanghai`` time zone (with its VTIMEZONE); an untimed need (done at
the volunteer's convenience during the horizon) is an all-day event over the
whole horizon, so it still shows in the volunteer's calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from api.masking import mask_address, mask_phone
from api.store.models import SolveJob
from api.store.serialize import from_json
from matcher.domain import Assignment, AssignmentRole, Problem
from matcher.export import MESSAGES_FILE, day_text_name, unmet_needs
from matcher.i18n import _
from matcher.io.chat import day_texts, text_file, volunteer_messages
from matcher.io.roster import ROLE_ZH, roster_assignments, roster_csv, roster_xlsx
from matcher.io.roster_book import roster_book
from matcher.io.roster_view import PersonalData

__all__ = [
    "VIEWER_MASKS",
    "assignments",
    "job_problem",
    "roster_book_file",
    "roster_csv",
    "roster_ics",
    "roster_messages_file",
    "roster_text_file",
    "roster_xlsx",
]

VIEWER_MASKS = PersonalData(phone=mask_phone, address=mask_address)
"""How viewers see phones (at most the last 4 digits) and addresses in the files for people."""

TIME_ZONE = ZoneInfo("Asia/Shanghai")


def job_problem(job: SolveJob) -> Problem:
    """The Problem the job solved (its input snapshot)."""
    return from_json(Problem, job.problem)


def assignments(rows: Iterable[dict[str, Any]]) -> list[Assignment]:
    """Assignments back from stored roster rows (the columns of ``roster.csv``)."""
    return roster_assignments(rows)


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TIME_ZONE) + dt.timedelta(minutes=minutes)


def roster_ics(problem: Problem, roster: Iterable[Assignment], name: str, uid_prefix: str) -> bytes:
    """An iCalendar file with one VEVENT per assignment (see the module notes)."""
    calendar = Calendar()
    calendar.add("prodid", "-//volunteer matcher//roster//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(TIME_ZONE))
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    needs = {n.id: n for n in problem.needs}
    volunteers = {v.id: v for v in problem.volunteers}
    for a in roster:
        need = needs.get(a.need_id)
        volunteer = volunteers.get(a.volunteer_id)
        if need is None or volunteer is None:
            continue
        event = Event()
        event.add("uid", f"{uid_prefix}-{a.need_id}-{a.volunteer_id}@matcher")
        event.add("dtstamp", stamp)
        lead = "（带队）" if a.role == AssignmentRole.LEAD else ""
        event.add("summary", f"{need.title} - {volunteer.name}{lead}")
        if a.date is not None and a.start is not None and a.end is not None:
            event.add("dtstart", _at(a.date, a.start))
            event.add("dtend", _at(a.date, a.end))
        elif a.date is not None:
            event.add("dtstart", a.date)
            event.add("dtend", a.date + dt.timedelta(days=1))
        else:  # untimed: any time during the horizon, shown as an all-day span over it
            event.add("dtstart", problem.horizon.start)
            event.add("dtend", problem.horizon.end + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if need.location:
            event.add("location", need.location)
        event.add(
            "description",
            "\n".join(
                [
                    f"需求 {need.id}: {need.title} ({need.category})",
                    f"志愿者 {volunteer.id}: {volunteer.name}, {volunteer.department}",
                    f"角色: {ROLE_ZH[str(a.role)]}",
                    *(["时间自定（在服务期内完成）"] if a.date is None else []),
                ]
            ),
        )
        event.add("categories", [str(need.category)])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def roster_book_file(job: SolveJob, personal: bool) -> bytes:
    """``roster-book.xlsx`` of an ended job; masked for viewers (``personal=False``)."""
    return roster_book(
        job_problem(job),
        assignments(job.roster or []),
        unmet_needs(job.summary or {}),
        personal=personal,
        masks=VIEWER_MASKS,
    )


def roster_text_file(job: SolveJob, day: dt.date | None, personal: bool) -> tuple[str, bytes]:
    """The group-chat text of one day (every day when ``day`` is None), with its file name.

    Raises
    ------
    LookupError
        When the roster has no needs on ``day``.
    """
    texts = day_texts(
        job_problem(job), assignments(job.roster or []), personal=personal, masks=VIEWER_MASKS
    )
    if day is None:
        return f"roster-{job.id}.txt", text_file(m for parts in texts.values() for m in parts)
    if day not in texts:
        raise LookupError(
            _("roster {id} has no needs on {date}").format(id=job.id, date=day.isoformat())
        )
    return day_text_name(day).replace("roster-", f"roster-{job.id}-", 1), text_file(texts[day])


def roster_messages_file(job: SolveJob, personal: bool) -> tuple[str, bytes]:
    """One message per volunteer on the roster (``messages.txt``), with its file name."""
    messages = volunteer_messages(
        job_problem(job), assignments(job.roster or []), personal=personal, masks=VIEWER_MASKS
    )
    name = f"roster-{job.id}-{MESSAGES_FILE}"
    return name, text_file(m for parts in messages.values() for m in parts)
