"""Who could take a declined assignment: ranked replacements, by the library's own rules.

A volunteer is a candidate for the declined assignment when they meet every
per-pair rule of the need (:class:`matcher.eligibility.RuleScreen`: skills,
department, gender, distance, availability, the pairs sheet, their budget),
nothing they still hold in the plan (proposed or confirmed) clashes with it
and they are under their shift cap and hour budget
(:class:`matcher.timing.Bookings`, travel buffers included), and, when the
rest of the team no longer meets a team rule (a lead, a joint department, a
language), they meet it (:mod:`matcher.teams`).  Candidates come least
loaded first (fewest shifts, then fewest minutes, then file order), so the
work spreads.  The nearest volunteers who are out are named too, with why
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
from matcher.result import Candidate
from matcher.teams import TeamRule, TeamRuleKind, team_rules
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


def _rule_words(rule: TeamRule) -> str:
    if rule.kind == TeamRuleKind.LEAD:
        return _("can lead the team")
    if rule.kind == TeamRuleKind.DEPARTMENT:
        return _("from {department}, which the team lacks now").format(department=rule.department)
    return _("speaks {language}, which the team lacks now").format(language=rule.language)


def find_replacements(
    problem: Problem,
    declined: Assignment,
    holding: Sequence[Assignment],
    excluded: set[str],
    travel_default: int = 10,
    limit: int = LIMIT,
) -> Replacements:
    """The volunteers who could take ``declined`` over, ranked, and the nearest who cannot.

    One piece on purpose: the plan's bookings, the per-pair screen and the
    team rules are read together, as the model reads them.

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

    Returns
    -------
    Replacements
        Empty when the need is no longer in the problem.
    """
    if declined.need_id not in problem.need_index:
        return Replacements((), ())
    n = problem.need_index[declined.need_id]
    need = problem.needs[n]
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
    start_of[need.id] = declined.start
    broken = near.screen.broken(n)
    if "service_day" in broken.stages:
        return Replacements((), near.of(n, ()))
    short = broken.count(len(problem.volunteers))
    staying = [problem.volunteers[problem.volunteer_index[i]] for i in team.get(need.id, ())]
    lacking = [r for r in team_rules(need) if not any(r.admits(s) for s in staying)]
    found: list[tuple[tuple[int, int, int], Replacement]] = []
    for v, volunteer in enumerate(problem.volunteers):
        if short[v] or volunteer.id in excluded or volunteer.id in team.get(need.id, ()):
            continue
        extra = near.extra(v, n)
        if bookings.clashes(v, need, declined.start) or not bookings.within_caps(v, need, extra):
            continue
        if not all(rule.admits(volunteer) for rule in lacking):
            continue
        shifts, minutes = bookings.shifts[v], bookings.minutes[v]
        load = _("{shifts} of {max_shifts} shifts and {minutes} of {max_minutes} minutes booked")
        notes = [
            _("meets every rule of the need and is free then"),
            load.format(
                shifts=shifts,
                max_shifts=volunteer.max_shifts,
                minutes=minutes,
                max_minutes=volunteer.max_minutes,
            ),
            *(_rule_words(rule) for rule in lacking),
        ]
        found.append(
            (
                (shifts, minutes, v),
                Replacement(
                    volunteer_id=volunteer.id,
                    name=volunteer.name,
                    department=volunteer.department,
                    why=join_notes(notes),
                    proposals=shifts,
                    minutes=minutes,
                ),
            )
        )
    found.sort(key=lambda pair: pair[0])
    chosen = tuple(r for _key, r in found[:limit])
    named = {r.volunteer_id for r in chosen} | excluded
    nearest_out = tuple(
        c for c in near.of(n, ()) if c.volunteer_id not in named and c.rules_short > 0
    )
    return Replacements(chosen, nearest_out)
