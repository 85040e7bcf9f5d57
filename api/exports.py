"""A stored roster as files: CSV and XLSX (as ``matcher solve`` writes them) and iCalendar.

iCalendar: one VEVENT per assignment.  Timed needs are events in the
``Asia/Shanghai`` time zone (with its VTIMEZONE); an untimed need (done at
the volunteer's convenience during the horizon) is an all-day event over the
whole horizon, so it still shows in the volunteer's calendar.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from icalendar import Calendar, Event

from api.store.models import SolveJob
from api.store.serialize import from_json
from matcher.domain import Assignment, AssignmentRole, Problem
from matcher.io import ROSTER_COLUMNS, ROSTER_COLUMNS_ZH

TIME_ZONE = ZoneInfo("Asia/Shanghai")
ROLE_ZH = {"lead": "带队", "member": "队员"}


def job_problem(job: SolveJob) -> Problem:
    """The Problem the job solved (its input snapshot)."""
    return from_json(Problem, job.problem)


def _minutes(text: str) -> int | None:
    if not text:
        return None
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def assignments(rows: Iterable[dict[str, Any]]) -> list[Assignment]:
    """Assignments back from stored roster rows (the columns of ``roster.csv``)."""
    return [
        Assignment(
            need_id=row["need_id"],
            volunteer_id=row["volunteer_id"],
            date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
            start=_minutes(row["start"]),
            end=_minutes(row["end"]),
            role=AssignmentRole(row["role"]),
        )
        for row in rows
    ]


def roster_csv(rows: list[dict[str, Any]]) -> bytes:
    """``roster.csv``: English headers, UTF-8 with BOM (Excel opens it right)."""
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    return frame.to_csv(index=False).encode("utf-8-sig")


def roster_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """``roster.xlsx``: sheet 排班表 with Chinese headers, as ``matcher solve`` writes it."""
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    frame["role"] = frame["role"].map(ROLE_ZH)
    frame.columns = list(ROSTER_COLUMNS_ZH)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="排班表")
    return buffer.getvalue()


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
