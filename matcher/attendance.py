"""Attendance: what happened on the day, and the history the roster engine reads from it.

A published roster is only a proposal (serving is voluntary); what a later
roster should know about the past (continuity with a household, minutes
served, first-timers) is what really happened.  This module holds the
statuses of an attendance record and turns records into
:class:`~matcher.domain.HistoryEntry` values; the service stores records
append-only (:mod:`api.store`), files of them are read by
:mod:`matcher.io` like any sheet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from matcher.domain import HistoryEntry, Problem


class AttendanceStatus(StrEnum):
    """What happened for one assignment."""

    ATTENDED = "attended"
    LATE = "late"
    LEFT_EARLY = "left_early"
    NO_SHOW = "no_show"

    @property
    def served(self) -> bool:
        """True when the volunteer served (on time or not, to the end or not)."""
        return self is not AttendanceStatus.NO_SHOW


@dataclasses.dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """What happened for one volunteer on one need.

    ``start``/``end`` are the actual minutes after midnight; None when not
    recorded (the planned times then stand for them).  ``planned_minutes``
    is the assignment's planned duration, used when the actual times are
    missing.
    """

    need_id: str
    volunteer_id: str
    date: dt.date
    status: AttendanceStatus
    start: int | None = None
    end: int | None = None
    planned_minutes: int = 0
    reason: str = ""

    @property
    def minutes(self) -> int:
        """Minutes served: the actual span, else the planned one; 0 for a no-show."""
        if not self.status.served:
            return 0
        if self.start is not None and self.end is not None and self.end > self.start:
            return self.end - self.start
        return self.planned_minutes


def history_from_attendance(
    problem: Problem, records: Iterable[AttendanceRecord]
) -> list[HistoryEntry]:
    """The history entries a problem reads from attendance records.

    A served record is an attended entry with its minutes; a no-show is an
    entry marked not attended (fairness and continuity count only what was
    served).  Records of volunteers no longer in the problem are left out; a
    need no longer in it keeps its date and minutes but loses the link to
    the need and household.
    """
    volunteers = {v.id for v in problem.volunteers}
    needs = {n.id: n for n in problem.needs}
    entries = []
    for record in records:
        if record.volunteer_id not in volunteers:
            continue
        need = needs.get(record.need_id)
        entries.append(
            HistoryEntry(
                volunteer_id=record.volunteer_id,
                date=record.date,
                minutes=record.minutes,
                attended=record.status.served,
                need_id=need.id if need else None,
                household_id=need.household_id if need else None,
                category=need.category if need else None,
            )
        )
    return entries
