"""A stored roster as files: CSV and XLSX (:mod:`matcher.io.roster`, as ``matcher solve``
writes them) and iCalendar.

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

from api.store.models import SolveJob
from api.store.serialize import from_json
from matcher.domain import Assignment, AssignmentRole, Problem
from matcher.io.roster import ROLE_ZH, roster_assignments, roster_csv, roster_xlsx

__all__ = ["assignments", "job_problem", "roster_csv", "roster_ics", "roster_xlsx"]

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
