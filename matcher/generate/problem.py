"""Assembling a synthetic :class:`~matcher.domain.Problem` from the generator's parts.

:func:`generate_problem` is the entry point: a horizon, then volunteers,
households, needs, must-cover reservations, history, pairs and travel, all
drawn from one :class:`numpy.random.Generator` in this fixed order, so a seed
always gives the same problem.  :func:`build` is the same without the
defaults; the sample community (:mod:`matcher.generate.sample`) starts from it.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from matcher.calendar import build_horizon
from matcher.domain import Horizon, Problem
from matcher.generate.city import draw_city, draw_travel
from matcher.generate.festivals import festivals_between
from matcher.generate.history import draw_history, draw_pairs
from matcher.generate.households import draw_households
from matcher.generate.needs import draw_needs, reserve
from matcher.generate.people import Pool, draw_volunteers
from matcher.generate.support import draw_max_households, draw_support
from matcher.generate.vocabulary import DEPARTMENTS, SKILLS, area_names
from matcher.i18n import _
from matcher.validate import checked

#: First Saturday of the sample horizon; the Mid-Autumn Festival follows.
DEFAULT_START = dt.date(2026, 9, 19)


def build(
    rng: np.random.Generator,
    volunteers: int,
    needs: int,
    horizon: Horizon,
    areas: int,
    name: str,
    city: bool = False,
    households: int | None = None,
    one_to_one: float = 0.6,
) -> tuple[Problem, Pool]:
    """Everything but the defaults: the generator proper.

    Parameters
    ----------
    rng
        The random source; every draw is taken from it in a fixed order.
    volunteers, needs
        How many of each (at least 1, and 0 or more).
    horizon
        The planning horizon; needs and availability fall on its service days.
    areas
        Number of grid areas.
    name
        Name of the problem.
    city
        Group the areas into street offices and give volunteers a ``max_travel``.
    households
        Number of households; default one per ten needs, at least 15.
    one_to_one
        Share of households with one-to-one support (drawn last, from a
        generator spawned from ``rng``, so the rest of the problem does not
        depend on it).

    Returns
    -------
    problem, pool
        The problem, and its volunteers as arrays (for the sample's curated
        pins and pairs).

    Raises
    ------
    ValueError
        When ``volunteers < 1``, ``needs < 0`` or the horizon has no service day.
    """
    if volunteers < 1:
        raise ValueError(_("volunteers must be at least 1"))
    if needs < 0:
        raise ValueError(_("needs must not be negative"))
    if not horizon.service_days:
        raise ValueError(
            _("no service day between {start} and {end}").format(
                start=horizon.start, end=horizon.end
            )
        )
    names = area_names(max(1, areas))
    layout = draw_city(rng, names, volunteers) if city else None
    people, windows, blackouts, pool = draw_volunteers(rng, volunteers, names, horizon, layout)
    if households is None:
        households = max(15, round(needs / 10))
    household_list = draw_households(rng, households, names)
    need_list = draw_needs(rng, needs, horizon, household_list, pool, names)
    need_list, pins, reserved = reserve(rng, need_list, pool, horizon)
    history = draw_history(rng, pool, household_list, horizon.start)
    pairs = draw_pairs(rng, pool, need_list, history, reserved)
    support_rng = rng.spawn(1)[0]  # spawning takes nothing from rng's own stream
    household_list = draw_support(
        support_rng, household_list, [v.id for v in people], horizon.start, one_to_one
    )
    people = draw_max_households(support_rng, people)
    problem = Problem(
        horizon=horizon,
        volunteers=tuple(people),
        needs=tuple(need_list),
        households=tuple(household_list),
        availability=tuple(windows),
        blackouts=tuple(blackouts),
        pairs=tuple(pairs),
        pins=tuple(pins),
        history=tuple(history),
        departments=DEPARTMENTS,
        skills=SKILLS,
        travel=tuple(draw_travel(rng, names, layout)),
        name=name,
    )
    return problem, pool


def generate_problem(
    volunteers: int,
    needs: int,
    seed: int = 0,
    start: dt.date | None = None,
    weeks: int = 2,
    areas: int | None = None,
    city: bool | None = None,
    households: int | None = None,
    one_to_one: float = 0.6,
) -> Problem:
    """Build a synthetic dataset with the shape of a college-community programme.

    Parameters
    ----------
    volunteers
        Number of volunteers (at least 1): ~75% students, ~20% teachers, a
        few staff and community residents, from eight departments and the
        community itself.
    needs
        Number of needs (0 or more) on the service days of the horizon; ~30%
        carry team rules, ~20% are flexible, ~5% are untimed micro-wishes.
    seed
        Seed of the :class:`numpy.random.Generator`; equal arguments give an
        equal problem.
    start
        First day of the horizon; default :data:`DEFAULT_START` (2026-09-19,
        a Saturday, so the horizon holds the Mid-Autumn Festival and National
        Day).
    weeks
        Length of the horizon in weeks (at least 1).
    areas
        Number of grid areas (网格) of the community that volunteers live in
        and needs happen in; default one per 500 volunteers above 20,000
        volunteers, else 4.
    city
        Give every volunteer a ``max_travel`` and list the travel minutes
        between all areas, grouped into street offices (街道) of one to three
        areas: volunteers serve only inside their own office (see
        :class:`~matcher.generate.city.City`), so the problem decomposes by area.  Default: a city
        above 20,000 volunteers when ``areas`` is not given.  Without it
        areas are labels only and nobody has a travel limit.

    Returns
    -------
    Problem
        Valid by the rules of :mod:`matcher.validate` (checked); every must-cover need
        and pin is provably staffable, so the problem is feasible.

    Raises
    ------
    ValueError
        When ``volunteers < 1``, ``needs < 0``, ``weeks < 1`` or the horizon
        has no service day.
    """
    if weeks < 1:
        raise ValueError(_("weeks must be at least 1"))
    if households is not None and households < 0:
        raise ValueError(_("households must not be negative"))
    first = start or DEFAULT_START
    last = first + dt.timedelta(days=7 * weeks - 1)
    horizon = build_horizon(first, last, festivals=festivals_between(first, last))
    if city is None:
        city = areas is None and volunteers > 20_000
    if areas is None:
        areas = math.ceil(volunteers / 500) if volunteers > 20_000 else 4
    rng = np.random.default_rng(seed)
    problem, _pool = build(
        rng,
        volunteers,
        needs,
        horizon,
        areas,
        f"synthetic-{volunteers}x{needs}-seed{seed}",
        city=city,
        households=households,
        one_to_one=one_to_one,
    )
    # checked like a loaded dataset: a generator bug must not pass as a hard instance
    return checked(problem)
