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

from matcher.domain import Horizon


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
    festival_days = {day for day, _ in festival_list}
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
