"""Who could take a declined assignment: ranked replacements, by the library's own rules.

Built on :func:`matcher.recommend.recommend`, the solver's view of one need:
a candidate meets every per-pair rule of the need (skills, department,
gender, distance, availability at the declined time, the pairs sheet),
takes the assignment without leaving anything they hold in the plan
(proposed or confirmed: no clash, under their shift cap and hour budget,
travel buffers included), and with the rest of the team meets its team
rules (a lead, a joint department, a language) or brings it closer to its
minimum.  Candidates come in the solver's order: coverage, then the
households' wishes, then the soft rules (the fairness rule puts the less
loaded first, continuity the volunteer a household knows, and so on), the
change of each term given by ``/rosters/{id}/recommend``.  The nearest
volunteers who are out are named too, with why
(:class:`matcher.nearest.NearestVolunteers`), for when nobody fits.

Nothing here reads the database: the routes hand in the roster's problem
and its open assignments.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from matcher.domain import Assignment, Problem
from matcher.i18n import _
from matcher.nearest import NearestVolunteers, join_notes
from matcher.params import SolverParams
from matcher.recommend import recommend
from matcher.result import Candidate
from matcher.timing import Bookings

LIMIT = 10
"""Candidates named at most."""


@dataclasses.dataclass(frozen=True, slots=True)
class Replacement:
    """A volunteer who could take the assignment, with why they fit and their load."""

    volunteer_id: str
    name: str
    department: str
    why: str
    proposals: int
    minutes: int


@dataclasses.dataclass(frozen=True, slots=True)
class Replacements:
    """The candidates, best first, and the nearest volunteers who are out (with why)."""

    candidates: tuple[Replacement, ...]
    nearest_out: tuple[Candidate, ...]


def _plan_bookings(
    problem: Problem, declined: Assignment, holding: Sequence[Assignment], travel_default: int
) -> tuple[Bookings, NearestVolunteers]:
    """The plan's bookings (the loads shown) and the nearest volunteers who are out, with why."""
    bookings = Bookings(problem, travel_default)
    team: dict[str, list[str]] = defaultdict(list)
    start_of: dict[str, int | None] = {}
    near = NearestVolunteers(problem, bookings, team, start_of, travel_default, has_roster=True)
    for a in holding:
        if a.need_id not in problem.need_index or a.volunteer_id not in problem.volunteer_index:
            continue
        m, v = problem.need_index[a.need_id], problem.volunteer_index[a.volunteer_id]
        team[a.need_id].append(a.volunteer_id)
        start_of[a.need_id] = a.start
        bookings.take(v, problem.needs[m], a.start, near.extra(v, m))
    start_of[declined.need_id] = declined.start
    return bookings, near


def find_replacements(
    problem: Problem,
    declined: Assignment,
    holding: Sequence[Assignment],
    excluded: set[str],
    travel_default: int = 10,
    limit: int = LIMIT,
    params: SolverParams | None = None,
) -> Replacements:
    """The volunteers who could take ``declined`` over, ranked, and the nearest who cannot.

    Parameters
    ----------
    problem
        The problem the roster was solved on.
    declined
        The declined assignment (its need, date and times are kept).
    holding
        The plan's assignments still held (proposed or confirmed): they
        make the loads, the busy times and the rest of the team.
    excluded
        Volunteers never named: whoever already had a proposal on the need.
    travel_default
        Travel minutes between different places not in the travel sheet.
    limit
        Candidates named at most.
    params
        The roster's solver parameters (its weights rank the candidates); default ones.

    Returns
    -------
    Replacements
        Empty when the need is no longer in the problem.
    """
    if declined.need_id not in problem.need_index:
        return Replacements((), ())
    n = problem.need_index[declined.need_id]
    params = (params or SolverParams()).replace(travel_minutes_default=travel_default)
    found = recommend(
        problem,
        holding,
        declined.need_id,
        params,
        limit=0,
        excluded=excluded,
        start=declined.start,
    )
    bookings, near = _plan_bookings(problem, declined, holding, travel_default)
    chosen: list[Replacement] = []
    for c in found.candidates:
        # a replacement disturbs nobody else's plan, and gives the team what it lacks
        if c.leaves or c.dropped or not (c.staffs or c.short_after):
            continue
        volunteer = problem.volunteer(c.volunteer_id)
        v = problem.volunteer_index[c.volunteer_id]
        shifts, minutes = bookings.shifts[v], bookings.minutes[v]
        load = _("{shifts} of {max_shifts} shifts and {minutes} of {max_minutes} minutes booked")
        notes = [
            c.why,
            load.format(
                shifts=shifts,
                max_shifts=volunteer.max_shifts,
                minutes=minutes,
                max_minutes=volunteer.max_minutes,
            ),
        ]
        chosen.append(
            Replacement(
                volunteer_id=volunteer.id,
                name=volunteer.name,
                department=volunteer.department,
                why=join_notes(notes),
                proposals=shifts,
                minutes=minutes,
            )
        )
        if len(chosen) == limit:
            break
    named = {r.volunteer_id for r in chosen} | excluded
    nearest_out = tuple(
        c for c in near.of(n, ()) if c.volunteer_id not in named and c.rules_short > 0
    )
    return Replacements(tuple(chosen), nearest_out)
