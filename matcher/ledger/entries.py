"""The ledger's raw material: one entry per volunteer, need and day, and periods of time.

A :class:`LedgerEntry` says what really happened (attendance), not what was
planned: the status, the minutes served (actual service time, travel
excluded) and the facts the points rules read (need category, festival day,
hard-to-fill need).  Entries are plain data so that every source gives the
same ledger: a dataset's history and attendance files
(:func:`matcher.io.ledger.read_ledger_entries`) or the service's database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from matcher.attendance import AttendanceStatus
from matcher.domain import Membership, NeedCategory, Volunteer

__all__ = ["LedgerEntry", "Period", "month_index", "period_around", "with_volunteers"]


@dataclasses.dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What happened for one volunteer on one need on one day.

    Attributes
    ----------
    volunteer_id, name, department, membership
        Who served, as registered when they served (a later change of
        department does not move past hours).
    date
        The service day.
    status
        Attended, late, left early or no-show.
    minutes
        Minutes actually served, travel excluded; 0 for a no-show.
    need_id, category
        The need served and its category (None when the record has none).
    festival
        Served on a festival day or statutory holiday.
    hard_to_fill
        The need had few eligible volunteers (see ``docs/ledger.md``).
    source
        Where the entry came from (``history``, ``attendance``, ...): records
        kept by sign-in and records added by an administrator stay apart.
    """

    volunteer_id: str
    date: dt.date
    status: AttendanceStatus
    minutes: int
    name: str = ""
    department: str = ""
    membership: Membership = Membership.NONE
    need_id: str | None = None
    category: NeedCategory | None = None
    festival: bool = False
    hard_to_fill: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if self.minutes < 0 or (self.minutes and not self.status.served):
            field = "LedgerEntry.minutes"
            expected = "expected >= 0 (0 for a no-show)"  # i18n: not shown: a bug, not bad input
            raise ValueError(f"{field}: {expected}, found {self.minutes}")

    @property
    def served(self) -> bool:
        """True unless the volunteer did not show up."""
        return self.status.served


def with_volunteers(
    entries: Iterable[LedgerEntry], volunteers: Iterable[Volunteer]
) -> list[LedgerEntry]:
    """Entries with name, department and membership filled in from the volunteers list.

    Fields an entry already has are kept (they record who the volunteer
    was on the day); entries of volunteers not in the list are kept as
    they are.
    """
    known = {v.id: v for v in volunteers}
    filled = []
    for entry in entries:
        volunteer = known.get(entry.volunteer_id)
        if volunteer is None:
            filled.append(entry)
            continue
        filled.append(
            dataclasses.replace(
                entry,
                name=entry.name or volunteer.name,
                department=entry.department or volunteer.department,
                membership=entry.membership
                if entry.membership is not Membership.NONE
                else volunteer.membership,
            )
        )
    return filled


@dataclasses.dataclass(frozen=True, slots=True)
class Period:
    """The days from ``start`` to ``end``, both included; None is open on that side."""

    start: dt.date | None = None
    end: dt.date | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, dt.date):
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def label(self) -> str:
        """``2026-07-01..2026-09-30`` (an open side shows as ``…``)."""
        start = self.start.isoformat() if self.start else "…"
        end = self.end.isoformat() if self.end else "…"
        return f"{start}..{end}"


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive calendar months differ by 1, across years too."""
    return day.year * 12 + day.month - 1


def period_around(day: dt.date, kind: str) -> Period:
    """The calendar month, quarter or year that holds ``day``, up to ``day`` itself.

    Parameters
    ----------
    day
        The day the period is seen from (it ends there).
    kind
        ``month``, ``quarter`` or ``year``.
    """
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif kind == "year":
        start = dt.date(day.year, 1, 1)
    else:
        raise ValueError(f"period_around: unknown kind {kind!r}")  # i18n: not shown: a bug
    return Period(start, day)
