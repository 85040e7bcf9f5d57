"""Where each volunteer stands: star level, rank, streak, first service, no-show rate.

Recognition is not only raw totals: besides the points ranking there are
the registered-volunteer star levels (by hours since the first record),
streaks of consecutive months with service, and the volunteers serving for
the first time.  The no-show rate is read by the roster (a volunteer who
often does not come is not placed alone on a must-cover need) and by the
what-if no-show simulation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from matcher.domain import Volunteer
from matcher.ledger.entries import LedgerEntry, Period, month_index
from matcher.ledger.scoring import ScoredEntry

__all__ = [
    "STAR_HOURS",
    "NoShowRate",
    "RankRow",
    "StarLevel",
    "Streak",
    "first_timers",
    "no_show_rates",
    "ranking",
    "star_levels",
    "streaks",
]

STAR_HOURS: tuple[Decimal, ...] = tuple(Decimal(h) for h in (100, 300, 600, 1000, 1500))
"""Hours for 1 to 5 stars (中国社区志愿者注册管理办法): a level is reached AT its hours."""


@dataclasses.dataclass(frozen=True, slots=True)
class StarLevel:
    """A volunteer's star level as of a day.

    ``reached`` holds the day each level was reached (the day of the entry
    that brought the hours to the threshold), one per star held;
    ``to_next`` is the hours still missing for the next star (None at 5
    stars); ``near_next`` is true when that is at most the rules' margin.
    """

    volunteer_id: str
    name: str
    department: str
    hours: Decimal
    stars: int
    reached: tuple[dt.date, ...]
    to_next: Decimal | None
    near_next: bool


def star_levels(
    scored: Sequence[ScoredEntry],
    volunteers: Iterable[Volunteer],
    as_of: dt.date | None = None,
    near_next_hours: Decimal = Decimal(20),
) -> list[StarLevel]:
    """Star level of every registered volunteer from all hours up to ``as_of``.

    Parameters
    ----------
    scored
        From :func:`~matcher.ledger.scoring.score_entries` (hours are rounded there).
    volunteers
        The registered volunteers; each gets a row, with 0 hours if none.
    as_of
        Last day counted; None counts every entry.
    near_next_hours
        "Close to the next star": at most this many hours short.

    Returns
    -------
    list of StarLevel
        Most hours first, then by volunteer id.
    """
    by_volunteer: dict[str, list[ScoredEntry]] = defaultdict(list)
    for item in scored:
        if as_of is None or item.entry.date <= as_of:
            by_volunteer[item.entry.volunteer_id].append(item)
    levels = []
    for volunteer in volunteers:
        hours = Decimal(0)
        reached: list[dt.date] = []
        for item in sorted(by_volunteer[volunteer.id], key=lambda s: s.entry.date):
            hours += item.hours
            while len(reached) < len(STAR_HOURS) and hours >= STAR_HOURS[len(reached)]:
                reached.append(item.entry.date)
        stars = len(reached)
        to_next = STAR_HOURS[stars] - hours if stars < len(STAR_HOURS) else None
        levels.append(
            StarLevel(
                volunteer_id=volunteer.id,
                name=volunteer.name,
                department=volunteer.department,
                hours=hours,
                stars=stars,
                reached=tuple(reached),
                to_next=to_next,
                near_next=to_next is not None and to_next <= near_next_hours,
            )
        )
    levels.sort(key=lambda level: (-level.hours, level.volunteer_id))
    return levels


@dataclasses.dataclass(frozen=True, slots=True)
class RankRow:
    """One line of a ranking; ``tied`` when another volunteer shares the rank."""

    rank: int
    volunteer_id: str
    name: str
    department: str
    points: Decimal
    hours: Decimal
    tied: bool


def ranking(scored: Sequence[ScoredEntry], period: Period | None = None) -> list[RankRow]:
    """Points ranking of the volunteers with an entry in the period.

    Ordered by points, then hours, both highest first.  Volunteers equal on
    both share a rank and the next rank is skipped (1, 2, 2, 4: "standard
    competition ranking"); inside a tie they are listed by volunteer id, which
    decides nothing.

    Parameters
    ----------
    scored
        From :func:`~matcher.ledger.scoring.score_entries`.
    period
        Entries dated in it count; None counts all.

    Returns
    -------
    list of RankRow
    """
    points: dict[str, Decimal] = defaultdict(Decimal)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    who: dict[str, LedgerEntry] = {}
    for item in scored:
        if period is not None and item.entry.date not in period:
            continue
        key = item.entry.volunteer_id
        points[key] += item.points
        hours[key] += item.hours
        who.setdefault(key, item.entry)
    order = sorted(who, key=lambda v: (-points[v], -hours[v], v))
    counts: dict[tuple[Decimal, Decimal], int] = defaultdict(int)
    for v in order:
        counts[(points[v], hours[v])] += 1
    rows: list[RankRow] = []
    for position, v in enumerate(order, start=1):
        same = bool(rows) and (rows[-1].points, rows[-1].hours) == (points[v], hours[v])
        rank = rows[-1].rank if same else position
        rows.append(
            RankRow(
                rank=rank,
                volunteer_id=v,
                name=who[v].name,
                department=who[v].department,
                points=points[v],
                hours=hours[v],
                tied=counts[(points[v], hours[v])] > 1,
            )
        )
    return rows


@dataclasses.dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive calendar months with service.

    ``current`` is the run that ends in the month of the day seen from, or
    in the month before (that month may not be over yet); ``longest`` the
    longest run ever, ``longest_end`` the first day of its last month.
    """

    volunteer_id: str
    current: int
    longest: int
    longest_end: dt.date | None
    first_served: dt.date | None
    months_served: int


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def streaks(entries: Iterable[LedgerEntry], as_of: dt.date) -> dict[str, Streak]:
    """Month streaks of every volunteer with a served entry up to ``as_of``.

    Parameters
    ----------
    entries
        Ledger entries (no-shows do not count as service).
    as_of
        The day seen from: later entries are left out.

    Returns
    -------
    dict
        Streak per volunteer id, by volunteer id.
    """
    months: dict[str, set[int]] = defaultdict(set)
    first: dict[str, dt.date] = {}
    for entry in entries:
        if not entry.served or entry.date > as_of:
            continue
        months[entry.volunteer_id].add(month_index(entry.date))
        if entry.volunteer_id not in first or entry.date < first[entry.volunteer_id]:
            first[entry.volunteer_id] = entry.date
    now = month_index(as_of)
    found = {}
    for volunteer_id in sorted(months):
        served = months[volunteer_id]
        longest, longest_end, run = 0, None, 0
        for month in sorted(served):
            run = run + 1 if month - 1 in served else 1
            if run > longest:
                longest, longest_end = run, _month_start(month)
        end = now if now in served else now - 1
        current = 0
        while end - current in served:
            current += 1
        found[volunteer_id] = Streak(
            volunteer_id=volunteer_id,
            current=current,
            longest=longest,
            longest_end=longest_end,
            first_served=first[volunteer_id],
            months_served=len(served),
        )
    return found


def first_timers(entries: Iterable[LedgerEntry], period: Period) -> dict[str, dt.date]:
    """Volunteers whose first service ever lies in the period, with its day.

    Every entry is read (those before the period too): whoever served
    before the period is no first-timer.  No-shows are not service.
    """
    first: dict[str, dt.date] = {}
    for entry in entries:
        if entry.served and (
            entry.volunteer_id not in first or entry.date < first[entry.volunteer_id]
        ):
            first[entry.volunteer_id] = entry.date
    return {v: day for v, day in sorted(first.items()) if day in period}


@dataclasses.dataclass(frozen=True, slots=True)
class NoShowRate:
    """How often a volunteer did not come: ``no_shows`` of ``records``."""

    volunteer_id: str
    records: int
    no_shows: int

    @property
    def rate(self) -> float:
        """``no_shows / records`` (0 without records)."""
        return self.no_shows / self.records if self.records else 0.0


def no_show_rates(
    entries: Iterable[LedgerEntry], period: Period | None = None
) -> dict[str, NoShowRate]:
    """No-show rate of each volunteer with records in the period.

    Parameters
    ----------
    entries
        Ledger entries.
    period
        Entries dated in it count; None counts all.

    Returns
    -------
    dict
        Rate per volunteer id, by volunteer id.  A reader that wants a
        prior for volunteers with few records adds it itself (the counts
        are kept for that).
    """
    records: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    for entry in entries:
        if period is not None and entry.date not in period:
            continue
        records[entry.volunteer_id] += 1
        missed[entry.volunteer_id] += int(not entry.served)
    return {v: NoShowRate(v, records[v], missed[v]) for v in sorted(records)}
