"""Planning horizon: service days, festival days and make-up workdays (调休).

Mainland China moves workdays around statutory holidays: a Saturday or Sunday
can be an official workday (调休).  Students are in class then, so such a day
is not a service day unless the coordinator lists it, and even then no student
is assigned.  ``chinesecalendar`` knows the official calendar; outside the
years it covers we fall back to plain weekends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import chinese_calendar

from matcher.domain import Horizon, Problem
from matcher.errors import DataError
from matcher.i18n import _


def _official(day: dt.date) -> tuple[bool, bool]:
    """Return (is_off_day, is_makeup_workday) for ``day``."""
    weekend = day.weekday() >= 5
    try:
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Year not covered by the installed chinesecalendar: weekends only.
        return weekend, False
    return (not workday), (weekend and workday)


def build_horizon(
    start: dt.date,
    end: dt.date,
    extra_days: Iterable[dt.date] = (),
    excluded_days: Iterable[dt.date] = (),
    festivals: Iterable[tuple[dt.date, str]] = (),
) -> Horizon:
    """Work out the service days of a horizon.

    Parameters
    ----------
    start, end
        First and last date, inclusive.
    extra_days
        Workdays the coordinator opens for service anyway.
    excluded_days
        Off days the coordinator closes.
    festivals
        ``(date, name)`` festival days; they are service days.

    Returns
    -------
    Horizon
        With service days in date order and the make-up workdays of the range.
    """
    extra = set(extra_days)
    excluded = set(excluded_days)
    festival_list = tuple(sorted(set(festivals)))
    festival_days = {day for day, _name in festival_list}
    service: list[dt.date] = []
    makeup: list[dt.date] = []
    day = start
    while day <= end:
        off, is_makeup = _official(day)
        if is_makeup:
            makeup.append(day)
        if (off or day in extra or day in festival_days) and day not in excluded:
            service.append(day)
        day += dt.timedelta(days=1)
    return Horizon(
        start=start,
        end=end,
        service_days=tuple(service),
        makeup_days=tuple(makeup),
        festivals=festival_list,
    )


def weekday_number(day: dt.date) -> int:
    """ISO weekday, 1 Monday .. 7 Sunday."""
    return day.isoweekday()


def restrict_horizon(
    problem: Problem, start: dt.date | None = None, end: dt.date | None = None
) -> Problem:
    """The problem over part of its horizon, e.g. one weekend of a month's plan.

    Needs dated outside ``[start, end]`` leave the run, and so do the pins and
    need pairs that name them; undated (flexible) needs stay and may only be
    placed on the remaining service days.  Volunteers, households and history
    are kept whole: history still counts for fairness.

    Parameters
    ----------
    problem
        The whole dataset.
    start, end
        First and last date kept, inclusive; ``None`` keeps the horizon's own.

    Returns
    -------
    Problem
        A copy with the narrower horizon (the same object when nothing changes).

    Raises
    ------
    DataError
        When ``start`` is after ``end`` or the range misses the horizon.
    """
    horizon = problem.horizon
    first = max(start or horizon.start, horizon.start)
    last = min(end or horizon.end, horizon.end)
    if start and end and start > end:
        message = _("from {start} is after to {end}").format(start=start, end=end)
        raise DataError.at("horizon", message, column="from")
    if first > last:
        raise DataError.at(
            "horizon",
            _(
                "{start}..{end} does not overlap the dataset's horizon "
                "{horizon_start}..{horizon_end}"
            ).format(
                start=start or horizon.start,
                end=end or horizon.end,
                horizon_start=horizon.start,
                horizon_end=horizon.end,
            ),
            column="from" if start and start > horizon.end else "to",
        )
    if first == horizon.start and last == horizon.end:
        return problem
    inside = Horizon(
        start=first,
        end=last,
        service_days=tuple(d for d in horizon.service_days if first <= d <= last),
        makeup_days=tuple(d for d in horizon.makeup_days if first <= d <= last),
        festivals=tuple(f for f in horizon.festivals if first <= f[0] <= last),
    )
    needs = tuple(n for n in problem.needs if n.date is None or inside.contains(n.date))
    kept = {n.id for n in needs}
    return problem.replace(
        horizon=inside,
        needs=needs,
        pins=tuple(p for p in problem.pins if p.need_id in kept),
        pairs=tuple(p for p in problem.pairs if p.need_id is None or p.need_id in kept),
        availability=tuple(
            w for w in problem.availability if w.date is None or inside.contains(w.date)
        ),
        blackouts=tuple(b for b in problem.blackouts if inside.contains(b.date)),
    )


def is_festival(day: dt.date, horizon: Horizon | None = None) -> bool:
    """True on a festival day of the horizon or a statutory holiday (法定节假日).

    Plain weekends are not festivals.  Outside the years ``chinesecalendar``
    covers, only the horizon's festivals count.
    """
    if horizon is not None and horizon.festival_name(day):
        return True
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(holiday and name)
