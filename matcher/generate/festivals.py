"""Festival days of volunteer service: fixed dates every year, lunar ones looked up.

Volunteers serve on weekends and on festival days (the seed programme visits
elderly people living alone at the Mid-Autumn Festival).  Fixed festivals
recur each year; the lunar ones are listed for 2024-2030, the years a
generated horizon is expected to fall in.
"""

from __future__ import annotations

import datetime as dt

_FIXED_FESTIVALS = {
    (1, 1): "元旦",
    (3, 5): "学雷锋纪念日",
    (5, 1): "劳动节",
    (10, 1): "国庆节",
    (12, 5): "国际志愿者日",
}
_LUNAR_FESTIVALS: dict[str, tuple[str, ...]] = {
    "春节": (
        "2024-02-10",
        "2025-01-29",
        "2026-02-17",
        "2027-02-06",
        "2028-01-26",
        "2029-02-13",
        "2030-02-03",
    ),
    "元宵节": (
        "2024-02-24",
        "2025-02-12",
        "2026-03-03",
        "2027-02-20",
        "2028-02-09",
        "2029-02-27",
        "2030-02-17",
    ),
    "端午节": (
        "2024-06-10",
        "2025-05-31",
        "2026-06-19",
        "2027-06-09",
        "2028-05-28",
        "2029-06-16",
        "2030-06-05",
    ),
    "中秋节": (
        "2024-09-17",
        "2025-10-06",
        "2026-09-25",
        "2027-09-15",
        "2028-10-03",
        "2029-09-22",
        "2030-09-12",
    ),
    "重阳节": (
        "2024-10-11",
        "2025-10-29",
        "2026-10-18",
        "2027-10-08",
        "2028-10-26",
        "2029-10-16",
        "2030-10-05",
    ),
}


def festivals_between(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """Festival days of volunteer service between two dates.

    Parameters
    ----------
    start, end
        First and last date, inclusive.

    Returns
    -------
    tuple of (date, name)
        In date order: 元旦, 学雷锋纪念日 (3-5), 劳动节, 国庆节, 国际志愿者日
        (12-5) every year, and 春节, 元宵节, 端午节, 中秋节, 重阳节 for 2024-2030.
    """
    found: dict[dt.date, str] = {}
    for name, days in _LUNAR_FESTIVALS.items():
        for text in days:
            day = dt.date.fromisoformat(text)
            if start <= day <= end:
                found[day] = name
    for year in range(start.year, end.year + 1):
        for (month, mday), name in _FIXED_FESTIVALS.items():
            day = dt.date(year, month, mday)
            if start <= day <= end:
                found.setdefault(day, name)
    return tuple(sorted(found.items()))
