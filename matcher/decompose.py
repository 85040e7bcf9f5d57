"""Independent parts of a roster problem, and a small problem for each.

Two volunteers who could never meet on a need, and two needs that share no
candidate, do not influence each other: every hard rule and every soft rule
of the model is about one need, one volunteer or one (volunteer, need) pair
(see :mod:`matcher.solver.constraints` and :mod:`matcher.solver.objective`).
So the connected components of the graph of eligible (volunteer, need) pairs
can be solved one at a time and their rosters put side by side.  With
``max_travel`` a city falls apart into parts of a few areas each; a single
community is one part.

A part's problem (:func:`part_problem`) holds only its own volunteers,
needs and their rows of the other sheets, so no part copies the whole city.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import numpy as np

from matcher.domain import AvailabilityWindow, Blackout, HistoryEntry, Pair, Problem


@dataclasses.dataclass(frozen=True)
class Part:
    """One connected component of the eligibility graph.

    Attributes
    ----------
    needs, volunteers
        Positions in the whole problem, ascending (int64 arrays).
    pairs
        Number of eligible (volunteer, need) pairs inside the part.
    """

    needs: np.ndarray
    volunteers: np.ndarray
    pairs: int


def _roots(parent: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Connected components of an edge list: every node's smallest connected node.

    Hook the larger root of each edge under the smaller one, then jump
    pointers until every node points at its root; repeat until no edge joins
    two roots.  A few rounds suffice even for city-sized graphs (no Python
    loop over the millions of pairs).
    """
    while True:
        a, b = parent[first], parent[second]
        joined = a != b
        if not joined.any():
            return parent
        low = np.minimum(a[joined], b[joined])
        np.minimum.at(parent, a[joined], low)
        np.minimum.at(parent, b[joined], low)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def find_parts(candidates: Sequence[np.ndarray], volunteer_count: int) -> list[Part]:
    """Split a problem into its independent parts.

    Parameters
    ----------
    candidates
        Per need, the positions of its eligible volunteers
        (:attr:`matcher.eligibility.Candidates.volunteers`).
    volunteer_count
        Number of volunteers of the problem.

    Returns
    -------
    list of Part
        Every component with at least one pair, ordered by its first need.
        Needs without any candidate and volunteers eligible for nothing
        belong to no part.
    """
    need_count = len(candidates)
    sizes = np.array([c.size for c in candidates], dtype=np.int64)
    if not sizes.sum():
        return []
    volunteer = np.concatenate([np.asarray(c, dtype=np.int64) for c in candidates])
    need_node = volunteer_count + np.repeat(np.arange(need_count, dtype=np.int64), sizes)
    parent = _roots(np.arange(volunteer_count + need_count, dtype=np.int64), volunteer, need_node)
    root_of_need = parent[volunteer_count:]
    root_of_volunteer = parent[:volunteer_count]
    used = np.zeros(volunteer_count, dtype=bool)
    used[volunteer] = True
    pairs_per_root: dict[int, int] = defaultdict(int)
    for root, size in zip(root_of_need.tolist(), sizes.tolist(), strict=True):
        if size:
            pairs_per_root[root] += size
    roots = list(pairs_per_root)  # in order of each part's first need
    needs_of = _members(root_of_need, sizes > 0, roots)
    volunteers_of = _members(root_of_volunteer, used, roots)
    return [
        Part(needs=needs_of[r], volunteers=volunteers_of[r], pairs=pairs_per_root[r]) for r in roots
    ]


def _members(root: np.ndarray, keep: np.ndarray, roots: list[int]) -> dict[int, np.ndarray]:
    """Positions (ascending) with each root, among those kept."""
    positions = np.flatnonzero(keep)
    order = np.argsort(root[positions], kind="stable")
    ordered = positions[order]
    keys = root[ordered]
    out: dict[int, np.ndarray] = {}
    for r in roots:
        lo, hi = np.searchsorted(keys, r, side="left"), np.searchsorted(keys, r, side="right")
        out[r] = ordered[lo:hi]
    return out


class _OfVolunteer(Protocol):
    """A row of a per-volunteer sheet (availability, blackouts, pairs, history)."""

    @property
    def volunteer_id(self) -> str: ...


_Row = TypeVar("_Row", bound=_OfVolunteer)


def _by_volunteer(rows: Iterable[_Row]) -> dict[str, list[_Row]]:
    """``rows`` grouped by their volunteer's id, each group in file order."""
    grouped: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped[row.volunteer_id].append(row)
    return grouped


class ProblemRows:
    """The per-volunteer rows of a problem, grouped once for cutting out parts."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.availability: dict[str, list[AvailabilityWindow]] = _by_volunteer(problem.availability)
        self.blackouts: dict[str, list[Blackout]] = _by_volunteer(problem.blackouts)
        self.pairs: dict[str, list[Pair]] = _by_volunteer(problem.pairs)
        self.history: dict[str, list[HistoryEntry]] = _by_volunteer(problem.history)


def part_problem(rows: ProblemRows, part: Part, number: int = 0) -> Problem:
    """The problem of one part: its volunteers and needs, in the whole problem's order.

    Rows of the other sheets follow their volunteer (availability,
    blackouts, pairs about the part's needs or about a household, history)
    or their need (pins, in file order).  Horizon, departments, skills, households and
    travel are shared with the whole problem, not copied.  Every per-pair
    rule therefore gives the same verdict in the part as in the whole.
    """
    problem = rows.problem
    volunteers = tuple(problem.volunteers[v] for v in part.volunteers.tolist())
    needs = tuple(problem.needs[n] for n in part.needs.tolist())
    need_ids = {n.id for n in needs}
    ids = [v.id for v in volunteers]
    return problem.replace(
        volunteers=volunteers,
        needs=needs,
        availability=tuple(w for i in ids for w in rows.availability.get(i, ())),
        blackouts=tuple(b for i in ids for b in rows.blackouts.get(i, ())),
        pairs=tuple(
            p
            for i in ids
            for p in rows.pairs.get(i, ())
            if p.need_id is None or p.need_id in need_ids
        ),
        pins=tuple(pin for pin in problem.pins if pin.need_id in need_ids),
        history=tuple(h for i in ids for h in rows.history.get(i, ())),
        name=f"{problem.name} part {number}" if number else problem.name,
    )
