"""Greedy roster: what a coordinator does by hand, and the solver's first hint.

Needs are taken in order (must-cover first, then higher priority first, then
file order); each gets the first eligible volunteers in file order who are
still free, with the team rules met first (a lead, one per joint department,
a speaker of each required language) and then filled to the minimum.  Every
roster it returns keeps the hard rules, but it never revisits a choice.
Inside :func:`matcher.solver.solve` "file order" is id order: the solver
takes the problem in its canonical form (:func:`matcher.domain.canonical`).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np

from matcher.domain import Need, Problem
from matcher.eligibility import Eligibility
from matcher.teams import team_rules
from matcher.timing import Bookings


@dataclasses.dataclass(frozen=True, slots=True)
class Placement:
    """One greedy assignment: pair position and the start minute (None if untimed)."""

    pair: int
    start: int | None


def _candidate_starts(need: Need, elig: Eligibility, pairs: list[int]) -> list[int | None]:
    """Starts worth trying: fixed start, or window and volunteers' window openings."""
    if need.date is None:
        return [None]
    if not need.is_flexible:
        return [need.start]
    starts = {need.start}
    for p in pairs:
        for lo, _hi in elig.start_domains.get(p, ()):
            starts.add(lo)
    return sorted(s for s in starts if s is not None)[:24]


def _start_allowed(elig: Eligibility, p: int, start: int | None) -> bool:
    """Whether a flexible need's ``start`` lies in one of the pair's start ranges."""
    return (
        start is None
        or p not in elig.start_domains
        or any(lo <= start <= hi for lo, hi in elig.start_domains[p])
    )


def _fits(bookings: Bookings, elig: Eligibility, p: int, need: Need, start: int | None) -> bool:
    """Whether pair ``p`` may serve ``need`` at ``start`` on top of ``bookings``.

    The one test every greedy step makes before taking a pair: the start is
    in the pair's ranges and the volunteer's budgets, overlaps and travel allow it.
    """
    return _start_allowed(elig, p, start) and bookings.fits(
        int(elig.volunteer[p]), need, start, int(elig.extra_minutes[p])
    )


def _take(bookings: Bookings, elig: Eligibility, p: int, need: Need, start: int | None) -> None:
    """Book pair ``p``'s volunteer on ``need`` at ``start`` (with the pair's extra minutes)."""
    bookings.take(int(elig.volunteer[p]), need, start, int(elig.extra_minutes[p]))


def _by_preference(
    candidates: list[int],
    preference: np.ndarray,
    fairness: int,
    bookings: Bookings,
    elig: Eligibility,
) -> None:
    """Sort pairs best-valued first, a volunteer's second shift costing ``fairness``."""
    candidates.sort(
        key=lambda p: -int(preference[p]) + fairness * (bookings.shifts[int(elig.volunteer[p])] > 0)
    )


def _booked(
    problem: Problem, elig: Eligibility, placements: list[Placement], travel_default: int
) -> tuple[Bookings, dict[int, list[int]], dict[int, int | None]]:
    """Bookings holding a roster, with each staffed need's pairs and start."""
    bookings = Bookings(problem, travel_default)
    teams: dict[int, list[int]] = {}
    start_of: dict[int, int | None] = {}
    for placement in placements:
        p = placement.pair
        n = int(elig.need[p])
        _take(bookings, elig, p, problem.needs[n], placement.start)
        teams.setdefault(n, []).append(p)
        start_of[n] = placement.start
    return bookings, teams, start_of


def _team(
    problem: Problem,
    need: Need,
    candidates: list[int],
    forced: list[int],
    elig: Eligibility,
) -> list[int] | None:
    """Pick pairs for a team from candidates in order; None when rules cannot be met.

    Each team rule (:func:`matcher.teams.team_rules`) keeps a member already
    meeting it, else takes the first candidate who does; then the team is
    filled to its minimum in order.
    """
    volunteers = problem.volunteers
    team = list(forced)
    for rule in team_rules(need):
        if any(rule.admits(volunteers[int(elig.volunteer[p])]) for p in team):
            continue
        chosen = next(
            (
                p
                for p in candidates
                if p not in team and rule.admits(volunteers[int(elig.volunteer[p])])
            ),
            None,
        )
        if chosen is None:
            return None
        team.append(chosen)
    for p in candidates:
        if len(team) >= need.min_volunteers:
            break
        if p not in team:
            team.append(p)
    if not need.min_volunteers <= len(team) <= need.max_volunteers:
        return None
    return team


def greedy_roster(
    problem: Problem,
    elig: Eligibility,
    travel_default: int = 10,
    preference: np.ndarray | None = None,
    fairness: int = 0,
) -> list[Placement]:
    """Build a greedy roster that keeps every hard rule.

    Parameters
    ----------
    problem
        The problem.
    elig
        Its eligible pairs.
    travel_default
        Travel minutes between different places not in the travel sheet.
    preference
        Soft-rule value of each pair (:func:`matcher.solver.objective.pair_gain`):
        when given, each need takes its best-valued free volunteers first
        instead of the first in file order (the solver's start; the baseline
        a coordinator would build leaves it out).
    fairness
        With ``preference``: what a volunteer's second and later shifts cost,
        so the greedy spreads shifts as the soft rules do.

    Returns
    -------
    list of Placement
        The chosen pairs with their starts.
    """
    bookings = Bookings(problem, travel_default)
    pinned: dict[int, list[int]] = defaultdict(list)
    pinned_start: dict[int, int] = {}
    for pin in problem.pins:
        v, n = problem.volunteer_index[pin.volunteer_id], problem.need_index[pin.need_id]
        pinned[n].append(elig.pair_index[(v, n)])
        if pin.start is not None:
            pinned_start[n] = pin.start
    order = sorted(
        range(len(problem.needs)),
        key=lambda n: (
            n not in pinned,
            not problem.needs[n].must_cover,
            -problem.needs[n].priority,
            n,
        ),
    )
    placements: list[Placement] = []
    for n in order:
        need = problem.needs[n]
        pairs = elig.pairs_of_need(n).tolist()
        starts = [pinned_start[n]] if n in pinned_start else _candidate_starts(need, elig, pairs)
        for start in starts:
            forced = pinned.get(n, [])
            if not all(_fits(bookings, elig, p, need, start) for p in forced):
                continue
            candidates = [p for p in pairs if _fits(bookings, elig, p, need, start)]
            if preference is not None:
                _by_preference(candidates, preference, fairness, bookings, elig)
            team = _team(problem, need, candidates, forced, elig)
            if team is None:
                continue
            for p in team:
                _take(bookings, elig, p, need, start)
                placements.append(Placement(pair=p, start=start))
            break
    return placements


def fill_teams(
    problem: Problem,
    elig: Eligibility,
    placements: list[Placement],
    gain: np.ndarray,
    repeat_penalty: int,
    travel_default: int = 10,
) -> list[Placement]:
    """Add volunteers to staffed needs below their maximum while it pays.

    A cheap improvement step between the coverage and the soft-rule stages:
    it never unstaffs or moves anything, so coverage is unchanged, and it adds
    a pair only when its ``gain`` beats ``repeat_penalty`` (charged when the
    volunteer already has a shift) and every hard rule still holds.

    Parameters
    ----------
    problem, elig
        The problem and its eligible pairs.
    placements
        A roster that keeps every hard rule.
    gain
        Soft-rule value of each pair if added (per pair position).
    repeat_penalty
        Cost of a volunteer's second and later shifts.
    travel_default
        Travel minutes between places not in the travel sheet.

    Returns
    -------
    list of Placement
        The given placements followed by the added ones.
    """
    bookings, teams, start_of = _booked(problem, elig, placements, travel_default)
    team_size = {n: len(team) for n, team in teams.items()}
    taken = {placement.pair for placement in placements}
    open_pairs = np.array(
        [
            p
            for p, n in enumerate(elig.need.tolist())
            if p not in taken
            and n in team_size
            and team_size[n] < problem.needs[n].max_volunteers
            and gain[p] > 0
        ],
        dtype=np.int64,
    )
    added: list[Placement] = []
    for p in open_pairs[np.argsort(-gain[open_pairs], kind="stable")].tolist():
        n, v = int(elig.need[p]), int(elig.volunteer[p])
        need = problem.needs[n]
        if team_size[n] >= need.max_volunteers:
            continue
        cost = repeat_penalty if bookings.shifts[v] > 0 else 0
        if gain[p] <= cost:
            continue
        start = start_of[n]
        if not _fits(bookings, elig, p, need, start):
            continue
        _take(bookings, elig, p, need, start)
        team_size[n] += 1
        added.append(Placement(pair=p, start=start))
    return placements + added


def restaff_teams(
    problem: Problem,
    elig: Eligibility,
    placements: list[Placement],
    gain: np.ndarray,
    repeat_penalty: int,
    travel_default: int = 10,
) -> list[Placement]:
    """Rebuild each staffed team from the best-valued free volunteers where it pays.

    A local improvement between the coverage and the soft-rule stages: each
    staffed need in turn (higher priority first) gives back its team and
    takes a new one at the same start, chosen by ``gain`` with
    ``repeat_penalty`` for a volunteer's second shift, with the team rules met
    first; the new team is kept only when it is worth more.  The same needs
    stay staffed and pins stay, so coverage is unchanged; every hard rule
    holds (:class:`matcher.timing.Bookings` checks budgets, overlaps and travel).

    Parameters
    ----------
    problem, elig, placements, gain, repeat_penalty, travel_default
        As for :func:`fill_teams`: the two steps run one after the other on
        the same arguments (:meth:`matcher.solver.solution.Solution.filled`),
        which is why they share a signature.

    Returns
    -------
    list of Placement
        The improved roster (teams at least at their minimum; fill afterwards).
    """
    bookings, teams, start_of = _booked(problem, elig, placements, travel_default)
    index_v, index_n = problem.volunteer_index, problem.need_index
    pinned = {
        elig.pair_index[(index_v[pin.volunteer_id], index_n[pin.need_id])] for pin in problem.pins
    }

    def worth(team: list[int]) -> int:
        # taken one by one, so a volunteer's later shifts pay the penalty
        total = 0
        for p in team:
            v = int(elig.volunteer[p])
            total += int(gain[p]) - (repeat_penalty if bookings.shifts[v] > 0 else 0)
            bookings.shifts[v] += 1
        for p in team:
            bookings.shifts[int(elig.volunteer[p])] -= 1
        return total

    for n in sorted(teams, key=lambda n: (-problem.needs[n].priority, n)):
        need, start, old = problem.needs[n], start_of[n], teams[n]
        for p in old:
            bookings.release(int(elig.volunteer[p]), need, start, int(elig.extra_minutes[p]))
        before = worth(old)
        candidates = [
            p for p in elig.pairs_of_need(n).tolist() if _fits(bookings, elig, p, need, start)
        ]
        _by_preference(candidates, gain, repeat_penalty, bookings, elig)
        forced = [p for p in old if p in pinned]
        new = _team(problem, need, candidates, forced, elig)
        if new is not None and worth(new) > before:
            teams[n] = new
        for p in teams[n]:
            _take(bookings, elig, p, need, start)
    return [Placement(pair=p, start=start_of[n]) for n, team in teams.items() for p in team]
