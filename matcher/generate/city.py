"""The ``--city`` shape: areas grouped into street offices, travel minutes, reach.

A community is a handful of grid areas whose names are labels only.  A city
(``generate_problem(..., city=True)``) groups its areas into street offices
(街道) on a grid, lists the minutes between every pair of areas and gives
each volunteer a ``max_travel`` that stays inside the home office, so a large
problem falls apart into independent parts as a real city's roster does.
This module also writes the travel rows of either shape.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from matcher.domain import Travel
from matcher.generate.arrays import IntArray
from matcher.generate.vocabulary import LOCATIONS

#: Street offices (街道) group one to three neighbouring areas of a city.
_STREET_SIZES = (1, 2, 3)
_STREET_SIZE_P = (0.4, 0.4, 0.2)
#: Minutes between two areas of one street office, and the least between two offices.
_NEAR_MINUTES = (6, 16)
_FAR_MINUTES = 28
#: A city volunteer's max_travel: home area only, or (most of) the street office.
_MAX_TRAVEL = (0, 10, 15, 20)
_MAX_TRAVEL_P = (0.15, 0.25, 0.35, 0.25)


@dataclasses.dataclass(frozen=True)
class City:
    """Areas of a city on a grid of street offices, with travel minutes and reach.

    Areas of one street office (街道) are 6-15 minutes apart; offices lie on
    a square grid and the minutes between their areas grow with the grid
    distance, from 28 up.  Every volunteer's ``max_travel`` (at most 20) stays
    inside the home street office, so the volunteers and needs of different
    offices never meet: the problem falls apart into parts of one to three
    areas, as a real city's roster does.
    """

    code: dict[str, int]
    minutes: IntArray  # areas x areas, symmetric, 0 on the diagonal
    max_travel: IntArray  # per volunteer, -1 = no limit (never in a city)


def draw_city(rng: np.random.Generator, areas: Sequence[str], volunteers: int) -> City:
    """Draw the street offices, the travel minutes between areas and each volunteer's reach.

    Parameters
    ----------
    rng
        Draws the street offices, the minutes between areas and the reach.
    areas
        Names of the city's areas, in order; neighbours in this order share
        a street office.
    volunteers
        Number of volunteers, one ``max_travel`` each.

    Returns
    -------
    City
        Area codes, the symmetric minutes between areas and every volunteer's reach.
    """
    count = len(areas)
    office = np.empty(count, dtype=np.int64)
    k = first = 0
    while first < count:
        size = int(rng.choice(_STREET_SIZES, p=_STREET_SIZE_P))
        office[first : first + size] = k
        first += size
        k += 1
    width = math.ceil(math.sqrt(k))
    row, col = office // width, office % width
    steps = np.abs(row[:, None] - row[None, :]) + np.abs(col[:, None] - col[None, :])
    near = rng.integers(*_NEAR_MINUTES, size=(count, count))
    far = _FAR_MINUTES + 8 * (steps - 1) + rng.integers(0, 7, size=(count, count))
    minutes = np.where(office[:, None] == office[None, :], near, far)
    minutes = np.triu(minutes, 1)
    minutes = minutes + minutes.T
    max_travel = rng.choice(_MAX_TRAVEL, size=volunteers, p=_MAX_TRAVEL_P).astype(np.int64)
    return City(
        code={a: i for i, a in enumerate(areas)},
        minutes=minutes.astype(np.int64),
        max_travel=max_travel,
    )


def draw_travel(
    rng: np.random.Generator, areas: Sequence[str], city: City | None = None
) -> list[Travel]:
    """Walking minutes between the community's places and its grid areas.

    A city lists every pair of areas: an unlisted pair would count as the
    travel default (10 minutes), within most volunteers' ``max_travel``.

    Parameters
    ----------
    rng
        Draws the walking minutes.
    areas
        Names of the grid areas.
    city
        The city the areas belong to, or None for a community whose areas
        are labels only.

    Returns
    -------
    list of Travel
        Between the places; then every pair of a city's areas, or (up to
        ten areas) every area with every place and every other area, or
        (more) neighbouring areas only.
    """
    travel = []
    for a in range(len(LOCATIONS)):
        for b in range(a + 1, len(LOCATIONS)):
            travel.append(Travel(LOCATIONS[a], LOCATIONS[b], int(rng.integers(3, 9))))
    if city is not None:
        rows, cols = np.triu_indices(len(areas), 1)
        for a, b, m in zip(
            rows.tolist(), cols.tolist(), city.minutes[rows, cols].tolist(), strict=True
        ):
            travel.append(Travel(areas[a], areas[b], m))
    elif len(areas) <= 10:
        for area in areas:
            for place in LOCATIONS:
                travel.append(Travel(area, place, int(rng.integers(5, 16))))
        for a in range(len(areas)):
            for b in range(a + 1, len(areas)):
                travel.append(Travel(areas[a], areas[b], int(rng.integers(5, 16))))
    else:
        # Neighbouring areas only; the solver's default covers the rest.
        for a in range(len(areas) - 1):
            travel.append(Travel(areas[a], areas[a + 1], int(rng.integers(8, 21))))
    return travel
