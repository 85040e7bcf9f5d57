"""The ledger back into the roster: who is behind for the period, who tends not to come.

An organisation department warns members who fall behind (预警) and wants
them given a chance to serve; a volunteer who often does not come should
not be the only one on a need that must be covered.  This turns a
:class:`~matcher.ledger.Ledger` into :class:`~matcher.domain.LedgerStanding`
values a :class:`~matcher.domain.Problem` carries (``Problem.ledger``); the
roster engine reads them in its ``behind`` and ``reliability`` soft rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from statistics import median

from matcher.domain import LedgerStanding, Volunteer
from matcher.ledger.entries import LedgerEntry, Period, period_around
from matcher.ledger.rules import Rules

__all__ = ["ledger_standing", "standing_before"]


def ledger_standing(
    points: dict[str, Decimal],
    warned: Iterable[str],
    no_show_rates: dict[str, float],
    volunteers: Sequence[Volunteer],
) -> tuple[LedgerStanding, ...]:
    """Each volunteer's standing: behind 0..3 by the period's points, 3 when warned.

    ``behind`` is ``round(3 * (1 - points / median))`` clipped to 0..3, the
    median taken over every registered volunteer (0 points for those
    without records), the same shape as the roster's minutes-behind rule;
    a member on the early-warning list is always 3.

    Parameters
    ----------
    points
        Points in the period by volunteer id (missing: 0).
    warned
        Ids on the early-warning list.
    no_show_rates
        No-show rate (0..1) by volunteer id (missing: 0).
    volunteers
        The registered volunteers; the standing covers each of them once.
    """
    warned = set(warned)
    values = [float(points.get(v.id, Decimal(0))) for v in volunteers]
    middle = median(values) if values else 0.0
    standing = []
    for volunteer, value in zip(volunteers, values, strict=True):
        if volunteer.id in warned:
            behind = 3
        elif middle <= 0:
            behind = 0  # half have no points: being at zero is not behind the middle
        else:
            behind = round(3 * min(max(1 - value / middle, 0.0), 1.0))
        standing.append(
            LedgerStanding(
                volunteer_id=volunteer.id,
                behind=behind,
                no_show_rate=min(max(no_show_rates.get(volunteer.id, 0.0), 0.0), 1.0),
                warned=volunteer.id in warned,
            )
        )
    return tuple(standing)


def standing_before(
    entries: Iterable[LedgerEntry],
    volunteers: Sequence[Volunteer],
    first_day: dt.date,
    rules: Rules | None = None,
) -> tuple[LedgerStanding, ...]:
    """The standing a roster starting on ``first_day`` reads: the ledger as of the day before.

    The period is the warning period of the points scheme in force then
    (a quarter by default) up to that day; records on or after
    ``first_day`` do not count (they are what the roster plans).
    """
    # the package's own entry point: imported here, as the package imports this module
    from matcher.ledger import build_ledger, default_rules

    rules = rules or default_rules()
    as_of = first_day - dt.timedelta(days=1)
    version = rules.in_force(as_of) or rules.versions[0]
    around = period_around(as_of, version.party.warning_period.value)
    known = [e for e in entries if e.date <= as_of]
    ledger = build_ledger(known, volunteers, rules, Period(around.start, as_of))
    points = {v: t.points for v, t in ledger.per_volunteer.items()}
    rates = {v: r.rate for v, r in ledger.no_shows.items()}
    return ledger_standing(points, [w.volunteer_id for w in ledger.warnings], rates, volunteers)
