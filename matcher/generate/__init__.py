"""Synthetic datasets with the shape of a real college-community programme.

The generator draws volunteers (teachers, students, staff and residents of the
community), their weekend-heavy availability, households, needs, coordinator
pairs and pins, and a service history from one :class:`numpy.random.Generator`,
so a seed always gives the same :class:`~matcher.domain.Problem`.  Everything
is vectorised over volunteers: 50,000 volunteers x 15,000 needs take a few
seconds.

:func:`community_a` is the hand-shaped sample in ``datasets/community_a``: the
generator's volunteers plus a curated list of needs and households for two
weekends and the Mid-Autumn Festival of 2026.

All names, phone numbers and addresses are synthetic.  Phone numbers lie in
the unassigned range ``199-00xx-xxxx``.

Modules
-------
vocabulary
    The word lists: departments, skills, languages, places, areas, name characters.
festivals
    Festival days of service, fixed and lunar (:func:`festivals_between`).
city
    The ``--city`` shape: street offices, travel minutes, ``max_travel``; travel rows.
availability
    Weekend-heavy availability windows, dated extras and blackouts.
people
    Volunteers, and :class:`~matcher.generate.people.Pool`, the same as arrays.
households
    Households with recurring support at synthetic addresses.
needs
    Need templates, drawing needs with team rules, must-cover needs and pins.
history
    Past service before the horizon and the coordinator's pairs.
problem
    :func:`generate_problem`: the draws above in their fixed order, as a Problem.
sample
    :func:`community_a`, the curated sample community of the seed programme.
describe
    :func:`describe`: Markdown tables of what a dataset holds.
arrays
    The numpy array types the modules share.
"""

from __future__ import annotations

from matcher.generate.describe import describe
from matcher.generate.festivals import festivals_between
from matcher.generate.problem import DEFAULT_START, generate_problem
from matcher.generate.sample import COMMUNITY_A_SEED, community_a
from matcher.generate.vocabulary import COMMUNITY, DEPARTMENTS, LANGUAGES, LOCATIONS, SKILLS

__all__ = [
    "COMMUNITY",
    "COMMUNITY_A_SEED",
    "DEFAULT_START",
    "DEPARTMENTS",
    "LANGUAGES",
    "LOCATIONS",
    "SKILLS",
    "community_a",
    "describe",
    "festivals_between",
    "generate_problem",
]
