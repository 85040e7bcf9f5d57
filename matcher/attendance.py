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

from matcher.domain import Assignment, HistoryEntry, Problem, format_minutes
from matcher.i18n import N_, _
from matcher.validate import (
    Catalogue,
    Finding,
    end_after_start,
    inside_horizon,
    need_ref,
    volunteer_ref,
)

__all__ = [
    "STATUS_NAMES",
    "AttendancePlan",
    "AttendanceRecord",
    "AttendanceStatus",
    "Planned",
    "history_from_attendance",
    "history_key",
]


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


STATUS_NAMES = {
    AttendanceStatus.ATTENDED: N_("attended"),
    AttendanceStatus.LATE: N_("late"),
    AttendanceStatus.LEFT_EARLY: N_("left early"),
    AttendanceStatus.NO_SHOW: N_("no-show"),
}
"""How people name each status (message ids: translate with ``_()`` where shown)."""


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


def history_key(entry: HistoryEntry) -> tuple[str, str | None, dt.date]:
    """What makes a history entry the same service twice: volunteer, need and date.

    An attendance file imported twice would otherwise count every hour twice.
    """
    return entry.volunteer_id, entry.need_id, entry.date


@dataclasses.dataclass(frozen=True, slots=True)
class Planned:
    """What was planned for one volunteer on one need: date, times and minutes.

    ``date``, ``start`` and ``end`` are None where the plan does not fix them
    (an untimed need; a flexible need without a roster to say when).
    """

    date: dt.date | None
    start: int | None
    end: int | None
    minutes: int


class AttendancePlan:
    """What attendance records are checked against: a problem and, when given, its roster.

    Parameters
    ----------
    problem
        The dataset the records are about (volunteers, needs, horizon).
    roster
        The roster that was served (``matcher solve``'s ``roster.csv``); None
        checks the records against the problem alone, and any known volunteer
        may then have served any known need.
    """

    def __init__(self, problem: Problem, roster: Iterable[Assignment] | None = None) -> None:
        self.problem = problem
        self.catalogue = Catalogue.of(problem)
        self.needs = {n.id: n for n in problem.needs}
        self.roster: dict[tuple[str, str], Assignment] | None = None
        if roster is not None:
            self.roster = {(a.need_id, a.volunteer_id): a for a in roster}

    def planned(self, need_id: str, volunteer_id: str) -> Planned | None:
        """What was planned for ``volunteer_id`` on ``need_id``; None for an unknown need.

        The roster's assignment says it best; without one, a need with a date
        and a window as long as its duration fixes the times, and other
        needs give their date and duration only.
        """
        need = self.needs.get(need_id)
        if need is None:
            return None
        assignment = self.roster.get((need_id, volunteer_id)) if self.roster else None
        if assignment is not None and assignment.start is not None and assignment.end is not None:
            return Planned(
                assignment.date, assignment.start, assignment.end, assignment.end - assignment.start
            )
        fixed = (
            need.start is not None
            and need.end is not None
            and need.end - need.start == need.duration
        )
        if fixed:
            return Planned(need.date, need.start, need.end, need.duration)
        return Planned(need.date, None, None, need.duration)

    def reference_findings(self, need_id: str, volunteer_id: str) -> list[Finding]:
        """An unknown volunteer or need; with a roster, a volunteer who was not on the need."""
        findings = volunteer_ref(volunteer_id, self.catalogue)
        findings += need_ref(need_id, self.catalogue)
        if not findings and self.roster is not None and (need_id, volunteer_id) not in self.roster:
            findings.append(
                (
                    "volunteer_id",
                    _(
                        "expected a volunteer on need {need} in the roster, found "
                        "{volunteer}, who is not on it"
                    ).format(need=need_id, volunteer=volunteer_id),
                )
            )
        return findings

    def findings(self, record: AttendanceRecord) -> list[Finding]:
        """What is wrong with a record: ``(field, message)``, as :mod:`matcher.validate` gives.

        An unknown volunteer or need; with a roster, a volunteer who was not
        on that need; a date outside the horizon or other than the need's;
        an end not after the start; actual times for a no-show.
        """
        findings = self.reference_findings(record.need_id, record.volunteer_id)
        known = not findings
        outside = inside_horizon("date", record.date, self.catalogue)
        findings += outside
        planned = self.planned(record.need_id, record.volunteer_id) if known else None
        if (
            not outside
            and planned is not None
            and planned.date is not None
            and record.date != planned.date
        ):
            findings.append(
                (
                    "date",
                    _("expected the date of need {need}, {planned}, found {date}").format(
                        need=record.need_id, planned=planned.date, date=record.date
                    ),
                )
            )
        if record.status is AttendanceStatus.NO_SHOW:
            for field, value in (("start", record.start), ("end", record.end)):
                if value is not None:
                    findings.append(
                        (
                            field,
                            _("expected no actual time for a no-show, found {time}").format(
                                time=format_minutes(value)
                            ),
                        )
                    )
        else:
            findings += end_after_start(record.start, record.end)
        return findings
