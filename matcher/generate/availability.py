"""When volunteers are free: weekend-heavy windows, dated extras and blackouts.

Most volunteers of a college-community programme keep a recurring Saturday
and Sunday slot (morning, afternoon or all day); some add a dated window on a
holiday or "only this Saturday", and about one in twenty misses a day on
which they would be free.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.domain import AvailabilityWindow, Blackout, Horizon
from matcher.generate.arrays import IntArray

# Recurring weekend slots: none, morning, afternoon, all day (minutes after midnight).
_SLOT_START = np.array([0, 510, 840, 510], dtype=np.int64)  # 08:30, 14:00
_SLOT_END = np.array([0, 720, 1050, 1050], dtype=np.int64)  # 12:00, 17:30
_SLOT_P = (0.25, 0.32, 0.18, 0.25)


def draw_availability(
    rng: np.random.Generator, ids: Sequence[str], horizon: Horizon
) -> tuple[list[AvailabilityWindow], list[Blackout], IntArray, IntArray]:
    """Weekend-heavy windows: recurring Saturday/Sunday slots, dated extras, blackouts.

    Parameters
    ----------
    rng
        Draws the weekend slots, the dated windows and the blackouts.
    ids
        Volunteer ids, in the order of the volunteers.
    horizon
        The planning horizon; windows fall on its service days.

    Returns
    -------
    windows, blackouts, window_start, window_end
        The windows and the blackouts, and the window start and end (minutes
        after midnight; 0, 0 = not free) of every volunteer on every service
        day, volunteers x service days (one window a day at most).
    """
    count = len(ids)
    days = horizon.service_days
    saturday = rng.choice(4, size=count, p=_SLOT_P)
    sunday = rng.choice(4, size=count, p=_SLOT_P)
    slot = np.zeros((count, len(days)), dtype=np.int64)
    weekend = np.array([d.isoweekday() >= 6 for d in days], dtype=bool)
    for j, day in enumerate(days):
        if day.isoweekday() == 6:
            slot[:, j] = saturday
        elif day.isoweekday() == 7:
            slot[:, j] = sunday
    # Dated windows where no recurring one applies: often on holidays, now and
    # then on a weekend day ("only this Saturday").
    dated_p = np.where(weekend, 0.10, 0.40)
    dated = (slot == 0) & (rng.random((count, len(days))) < dated_p)
    slot = np.where(dated, rng.choice((1, 2, 3), size=slot.shape, p=(0.4, 0.3, 0.3)), slot)
    # Blackouts: about 5% of volunteers miss one day on which they would be free.
    blackout_day = np.full(count, -1, dtype=np.int64)
    free = slot > 0
    chosen = (rng.random(count) < 0.05) & free.any(axis=1)
    if chosen.any():
        score = np.where(free, rng.random(slot.shape), -1.0)
        blackout_day[chosen] = np.argmax(score[chosen], axis=1)
    window_start = _SLOT_START[slot]
    window_end = _SLOT_END[slot]
    rows = np.flatnonzero(blackout_day >= 0)
    window_start[rows, blackout_day[rows]] = 0
    window_end[rows, blackout_day[rows]] = 0

    windows: list[AvailabilityWindow] = []
    blackouts: list[Blackout] = []
    sat_list, sun_list = saturday.tolist(), sunday.tolist()
    dated_rows, dated_cols = np.nonzero(dated)
    dated_bounds = np.searchsorted(dated_rows, np.arange(count + 1)).tolist()
    dated_cols_list = dated_cols.tolist()
    slot_list = slot.tolist()
    starts, ends = _SLOT_START.tolist(), _SLOT_END.tolist()
    blackout_list = blackout_day.tolist()
    for i, vid in enumerate(ids):
        for weekday, s in ((6, sat_list[i]), (7, sun_list[i])):
            if s:
                windows.append(AvailabilityWindow(vid, starts[s], ends[s], weekday=weekday))
        for k in range(dated_bounds[i], dated_bounds[i + 1]):
            j = dated_cols_list[k]
            s = slot_list[i][j]
            windows.append(AvailabilityWindow(vid, starts[s], ends[s], date=days[j]))
        if blackout_list[i] >= 0:
            blackouts.append(Blackout(vid, days[blackout_list[i]]))
    return windows, blackouts, window_start, window_end
