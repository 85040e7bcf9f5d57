"""Hours and points of each ledger entry, by the rule version in force on its day.

The computation is exact (:class:`~decimal.Decimal`, no binary fractions):

1. **Hours**: the entry's minutes / 60, rounded to the version's
   ``hours_unit`` (down, to the nearest step with halves up, or up); a
   no-show counts 0 hours.
2. **Points earned**: hours × points per hour of the need's category ×
   the multiplier (``hard_to_fill`` and/or ``festival``; both apply
   multiplied, or only the larger with ``combine = "max"``), to 2 decimals
   (halves up).
3. **Daily cap**: a volunteer's points earned on one day are capped at
   ``caps.points_per_day`` of the version in force that day; entries of the
   day are taken in need order and the last ones lose what passes the cap.
4. **Penalty**: a no-show loses ``penalties.no_show`` points (never capped).

Each :class:`ScoredEntry` records the version used and every step, so a
coordinator can check a row by hand, and a new version never changes an
entry dated before it takes effect.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TypeVar

from matcher.errors import DataError
from matcher.i18n import _
from matcher.ledger.entries import LedgerEntry, Period
from matcher.ledger.rules import Combine, Rounding, Rules, RuleVersion

__all__ = [
    "ScoredEntry",
    "Totals",
    "entry_hours",
    "score_entries",
    "totals_by",
]

K = TypeVar("K", bound=Hashable)

CENT = Decimal("0.01")
_ROUNDING = {
    Rounding.DOWN: ROUND_FLOOR,
    Rounding.NEAREST: ROUND_HALF_UP,
    Rounding.UP: ROUND_CEILING,
}


def entry_hours(minutes: int, version: RuleVersion) -> Decimal:
    """Hours counted for ``minutes`` of service under ``version``'s rounding.

    Examples
    --------
    With a unit of 0.5 h rounded down, 100 minutes count 1.5 h; to the
    nearest, 105 minutes count 2 h (1.75 is a half step, rounded up).
    """
    steps = (Decimal(minutes) / Decimal(60) / version.hours_unit).quantize(
        Decimal(1), rounding=_ROUNDING[version.hours_rounding]
    )
    return (steps * version.hours_unit).normalize() + Decimal(0)


def _multiplier(entry: LedgerEntry, version: RuleVersion) -> Decimal:
    factors = []
    if entry.hard_to_fill:
        factors.append(version.multipliers.hard_to_fill)
    if entry.festival:
        factors.append(version.multipliers.festival)
    if not factors:
        return Decimal(1)
    if version.multipliers.combine is Combine.MAX:
        return max(factors)
    product = Decimal(1)
    for factor in factors:
        product *= factor
    return product


@dataclasses.dataclass(frozen=True, slots=True)
class ScoredEntry:
    """A ledger entry with its hours and points, and how they were reached.

    Attributes
    ----------
    entry
        The entry scored.
    rule_version
        The name of the rule version in force on the entry's day.
    hours
        Hours counted (rounded per the version).
    rate
        Points per hour of the entry's category.
    multiplier
        Hard-to-fill and festival multipliers combined (1 when neither).
    earned
        ``hours × rate × multiplier``, to 2 decimals.
    capped
        Points taken off ``earned`` by the daily cap (0 when under it).
    penalty
        Points taken off for a no-show.
    points
        ``earned - capped - penalty``: what counts.
    """

    entry: LedgerEntry
    rule_version: str
    hours: Decimal
    rate: Decimal
    multiplier: Decimal
    earned: Decimal
    capped: Decimal
    penalty: Decimal
    points: Decimal


def _order(entry: LedgerEntry) -> tuple[str, object, str, str]:
    return (entry.volunteer_id, entry.date, entry.need_id or "", entry.status.value)


def score_entries(entries: Iterable[LedgerEntry], rules: Rules) -> list[ScoredEntry]:
    """Hours and points of every entry (see the module notes for each step).

    Parameters
    ----------
    entries
        The ledger entries, in any order.
    rules
        The points rules; each entry is scored by the version in force on its day.

    Returns
    -------
    list of ScoredEntry
        By volunteer, date and need.

    Raises
    ------
    DataError
        When an entry is dated before the first version takes effect.
    """
    ordered = sorted(entries, key=_order)
    scored: list[ScoredEntry] = []
    used: dict[tuple[str, object], Decimal] = defaultdict(Decimal)
    first = rules.versions[0].effective_from
    for entry in ordered:
        version = rules.in_force(entry.date)
        if version is None:
            raise DataError.at(
                "rules",
                _(
                    "no rule version is in force on {date} ({volunteer}); "
                    "the first takes effect on {first}"
                ).format(date=entry.date, volunteer=entry.volunteer_id, first=first),
            )
        hours = entry_hours(entry.minutes, version) if entry.served else Decimal(0)
        rate = version.rate(entry.category)
        multiplier = _multiplier(entry, version)
        earned = (hours * rate * multiplier).quantize(CENT, rounding=ROUND_HALF_UP)
        capped = Decimal(0)
        cap = version.caps.points_per_day
        day = (entry.volunteer_id, entry.date)
        if cap is not None:
            room = max(Decimal(0), cap - used[day])
            capped = max(Decimal(0), earned - room)
        used[day] += earned - capped
        penalty = Decimal(0) if entry.served else version.penalties.no_show
        points = earned - capped - penalty
        scored.append(
            ScoredEntry(
                entry=entry,
                rule_version=version.version,
                hours=hours,
                rate=rate,
                multiplier=multiplier,
                earned=earned,
                capped=capped,
                penalty=penalty,
                points=points,
            )
        )
    return scored


@dataclasses.dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a group of scored entries."""

    hours: Decimal = Decimal(0)
    points: Decimal = Decimal(0)
    records: int = 0
    served: int = 0
    no_shows: int = 0

    def add(self, item: ScoredEntry) -> Totals:
        """These totals with one more entry."""
        return Totals(
            hours=self.hours + item.hours,
            points=self.points + item.points,
            records=self.records + 1,
            served=self.served + int(item.entry.served),
            no_shows=self.no_shows + int(not item.entry.served),
        )


def totals_by(
    scored: Sequence[ScoredEntry],
    key: Callable[[LedgerEntry], K],
    period: Period | None = None,
) -> dict[K, Totals]:
    """Hours, points and counts per group, over a period.

    Parameters
    ----------
    scored
        From :func:`score_entries`.
    key
        The group of an entry, e.g. ``lambda e: e.department``,
        ``lambda e: e.membership``, ``lambda e: e.category`` or
        ``lambda e: (e.date.year, e.date.month)``.
    period
        Only entries dated in it count; None counts all.

    Returns
    -------
    dict
        Totals per group, groups in sorted order where they sort.
    """
    groups: dict[K, Totals] = {}
    for item in scored:
        if period is not None and item.entry.date not in period:
            continue
        group = key(item.entry)
        groups[group] = groups.get(group, Totals()).add(item)
    try:
        return dict(sorted(groups.items(), key=lambda pair: pair[0]))  # type: ignore[arg-type, return-value]
    except TypeError:  # None beside strings: keep the order met
        return groups
