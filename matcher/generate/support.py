"""One-to-one support (点对点帮扶): which households get it, when they want visits.

Drawn from a generator of its own (spawned from the problem's, so it takes
nothing from the problem's stream): datasets generated before one-to-one
support existed keep every volunteer, need and history entry they had.
Elderly people living alone and disabled households get it most often, at
a higher priority; a left-behind child's support asks for tutoring; most
households want weekend visits in the morning or the afternoon, a few on
given dates; a few refuse a volunteer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from matcher.domain import (
    Gender,
    Household,
    HouseholdCategory,
    Skill,
    Support,
    VisitFrequency,
    Volunteer,
)

_H = HouseholdCategory

MORNING = (9 * 60, 11 * 60 + 30)
"""09:00-11:30, a morning visit."""
AFTERNOON = (14 * 60 + 30, 17 * 60)
"""14:30-17:00, an afternoon visit."""

_DAYS: tuple[tuple[int, ...], ...] = ((6,), (7,), (6, 7), ())
_DAYS_P = (0.35, 0.25, 0.3, 0.1)
_TIMES: tuple[tuple[tuple[int, int], ...], ...] = ((MORNING,), (AFTERNOON,), ())
_TIMES_P = (0.45, 0.4, 0.15)
_FREQUENCIES = (VisitFrequency.WEEKLY, VisitFrequency.FORTNIGHTLY, VisitFrequency.DATES)
_FREQUENCIES_P = (0.6, 0.35, 0.05)
_PRIORITY = {
    _H.ELDERLY_ALONE: 4,
    _H.DISABLED: 4,
    _H.FAMILY_IN_DIFFICULTY: 3,
    _H.LEFT_BEHIND_CHILD: 3,
    _H.OTHER: 2,
}
_ONE_TO_ONE_WEIGHT = {
    _H.ELDERLY_ALONE: 1.3,
    _H.DISABLED: 1.3,
    _H.FAMILY_IN_DIFFICULTY: 0.9,
    _H.LEFT_BEHIND_CHILD: 0.9,
    _H.OTHER: 0.4,
}


def draw_support(
    rng: np.random.Generator,
    households: Sequence[Household],
    volunteer_ids: Sequence[str],
    start: dt.date,
    share: float = 0.6,
) -> list[Household]:
    """The households with one-to-one support drawn for about ``share`` of them.

    Parameters
    ----------
    rng
        Draws who gets support and how (a generator of its own, see the module notes).
    households
        The households drawn so far.
    volunteer_ids
        Ids a household may refuse.
    start
        First day of the term: visit dates fall on Saturdays after it.
    share
        Share of households with one-to-one support, 0 .. 1 (1: every one).

    Returns
    -------
    list of Household
        The same households, in order, with their support fields set.
    """
    count = len(households)
    chance = rng.random(count)
    days = rng.choice(len(_DAYS), size=count, p=_DAYS_P)
    times = rng.choice(len(_TIMES), size=count, p=_TIMES_P)
    frequency = rng.choice(len(_FREQUENCIES), size=count, p=_FREQUENCIES_P)
    long_visit = rng.random(count) < 0.3
    bump = rng.integers(-1, 2, count)
    strict = rng.random(count) < 0.3
    tutoring = rng.random(count) < 0.5
    refuses = rng.random(count) < 0.03
    refused = rng.integers(0, max(1, len(volunteer_ids)), count)
    first_saturday = start + dt.timedelta(days=(5 - start.weekday()) % 7)
    out = []
    for i, h in enumerate(households):
        one_to_one = share >= 1 or chance[i] < share * _ONE_TO_ONE_WEIGHT[h.category]
        if not one_to_one:
            out.append(h)
            continue
        visit_frequency = _FREQUENCIES[int(frequency[i])]
        visit_dates: tuple[dt.date, ...] = ()
        if visit_frequency == VisitFrequency.DATES:
            visit_dates = tuple(first_saturday + dt.timedelta(weeks=w) for w in (0, 2, 4))
        required = h.preferred_gender if h.preferred_gender == Gender.FEMALE and strict[i] else None
        skills = (Skill("辅导功课"),) if h.category == _H.LEFT_BEHIND_CHILD and tutoring[i] else ()
        out.append(
            dataclasses.replace(
                h,
                support=Support.ONE_TO_ONE,
                priority=int(np.clip(_PRIORITY[h.category] + bump[i], 1, 5)),
                required_gender=required,
                skills=skills,
                visit_days=_DAYS[int(days[i])],
                visit_times=_TIMES[int(times[i])],
                visit_minutes=90 if long_visit[i] else 60,
                visit_frequency=visit_frequency,
                visit_dates=visit_dates,
                refused=(volunteer_ids[int(refused[i])],) if refuses[i] and volunteer_ids else (),
            )
        )
    return out


def draw_max_households(
    rng: np.random.Generator, volunteers: Sequence[Volunteer]
) -> list[Volunteer]:
    """Volunteers with the households each can support: mostly the default 2.

    One in ten takes no household (0), one in ten only one, one in twenty three.
    """
    draw = rng.random(len(volunteers))
    caps = np.select([draw < 0.1, draw < 0.2, draw < 0.25], [0, 1, 3], 2)
    return [
        v if int(cap) == v.max_households else dataclasses.replace(v, max_households=int(cap))
        for v, cap in zip(volunteers, caps, strict=True)
    ]
