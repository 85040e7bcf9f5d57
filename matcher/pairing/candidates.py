"""The candidate pairs of a pairing, and a greedy pairing to start the solver from.

Every household with one-to-one support gets as candidates the volunteers
who keep every rule with it (:meth:`~matcher.pairing.rules.PairingScreen.eligible`),
with their fit.  At district size that is millions of pairs, so past
``prune_above`` pairs each household keeps ``candidate_limit`` of them: half
the best by fit, half drawn at random from the rest (seeded), so that
households of one area do not all keep the same few volunteers, and always
its previous primary and backup when they are still compatible.  A pruned
model's bound is the bound of the pruned model; the result says how many
pairs were left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from matcher.domain import Household, Problem, SupportPair
from matcher.pairing.rules import PairingScreen


@dataclasses.dataclass(frozen=True)
class Candidates:
    """The candidate pairs, one entry per (household, volunteer), grouped by household.

    ``household`` indexes :attr:`households` (the supported households, in
    file order); ``volunteer`` indexes the problem's volunteers.  ``previous``
    holds each household's previous (primary, backup) as volunteer indices
    (-1: none, or no longer in the dataset).
    """

    households: tuple[Household, ...]
    household: np.ndarray
    volunteer: np.ndarray
    fit: np.ndarray
    previous: np.ndarray
    eligible_count: np.ndarray
    pruned: int

    def __len__(self) -> int:
        return len(self.volunteer)


def previous_indices(
    problem: Problem, households: Sequence[Household], previous: Sequence[SupportPair]
) -> np.ndarray:
    """Each household's previous (primary, backup) as volunteer indices, -1 for none."""
    by_household = {p.household_id: p for p in previous}
    index = problem.volunteer_index
    out = np.full((len(households), 2), -1, dtype=np.int64)
    for h, household in enumerate(households):
        pair = by_household.get(household.id)
        if pair is None:
            continue
        out[h, 0] = index.get(pair.primary_id, -1)
        out[h, 1] = index.get(pair.backup_id, -1) if pair.backup_id else -1
    return out


def build_candidates(
    problem: Problem,
    screen: PairingScreen,
    previous: Sequence[SupportPair] = (),
    candidate_limit: int = 40,
    prune_above: int = 100_000,
    seed: int = 0,
) -> Candidates:
    """The candidate pairs of every supported household (see the module notes)."""
    households = tuple(h for h in problem.households if h.one_to_one)
    prev = previous_indices(problem, households, previous)
    eligible = [screen.eligible(h) for h in households]
    counts = np.array([len(e) for e in eligible], dtype=np.int64)
    total = int(counts.sum())
    prune = candidate_limit > 0 and total > prune_above
    rng = np.random.default_rng(seed)
    parts_v, parts_h, parts_fit = [], [], []
    for h, (household, vols) in enumerate(zip(households, eligible, strict=True)):
        if prune and len(vols) > candidate_limit:
            vols = _kept(screen, household, vols, prev[h], candidate_limit, rng)
        fit = screen.fit(household, vols).score
        parts_v.append(vols)
        parts_fit.append(fit)
        parts_h.append(np.full(len(vols), h, dtype=np.int64))
    volunteer = np.concatenate(parts_v) if parts_v else np.empty(0, np.int64)
    return Candidates(
        households=households,
        household=np.concatenate(parts_h) if parts_h else np.empty(0, np.int64),
        volunteer=volunteer.astype(np.int64),
        fit=np.concatenate(parts_fit) if parts_fit else np.empty(0, np.int64),
        previous=prev,
        eligible_count=counts,
        pruned=total - len(volunteer),
    )


def _kept(
    screen: PairingScreen,
    household: Household,
    vols: np.ndarray,
    previous: np.ndarray,
    limit: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``limit`` of a household's compatible volunteers: best half, random half, previous."""
    score = screen.fit(household, vols).score
    order = np.argsort(-score, kind="stable")
    best = order[: limit // 2]
    rest = order[limit // 2 :]
    drawn = rng.choice(rest, size=min(len(rest), limit - len(best)), replace=False)
    keep = set(vols[best].tolist()) | set(vols[drawn].tolist())
    keep |= {int(v) for v in previous if v >= 0 and v in set(vols.tolist())}
    return np.array(sorted(keep), dtype=np.int64)


@dataclasses.dataclass
class Choice:
    """A pairing as candidate positions: ``primary[h]`` indexes the candidates (-1: none)."""

    primary: np.ndarray
    backup: np.ndarray

    def load(self, candidates: Candidates, volunteers: int) -> np.ndarray:
        """Households per volunteer (primary and backup both count)."""
        load = np.zeros(volunteers, dtype=np.int64)
        for chosen in (self.primary, self.backup):
            picked = chosen[chosen >= 0]
            np.add.at(load, candidates.volunteer[picked], 1)
        return load


def greedy_pairing(
    candidates: Candidates,
    caps: np.ndarray,
    priority: Mapping[int, int],
    start: Choice | None = None,
) -> Choice:
    """A pairing that keeps every rule, to start the solver from (and to fall back on).

    Previous pairs first (when still compatible and within the caps), then a
    primary for each household by priority (fewest candidates first), then
    a backup, each time the best fit among volunteers with room.  From a
    ``start`` pairing, its pairs are kept and only the missing roles filled
    (a stage's pairing completed before the next stage starts from it).
    """
    count = len(candidates.households)
    room = caps.astype(np.int64).copy()
    if start is None:
        choice = Choice(np.full(count, -1, np.int64), np.full(count, -1, np.int64))
    else:
        choice = Choice(start.primary.copy(), start.backup.copy())
        room -= choice.load(candidates, len(caps))
    starts = np.searchsorted(candidates.household, np.arange(count + 1))
    order = sorted(range(count), key=lambda h: (-priority[h], int(starts[h + 1] - starts[h]), h))

    def take(h: int, slot: np.ndarray, other: np.ndarray, wanted: int | None) -> None:
        lo, hi = int(starts[h]), int(starts[h + 1])
        best, best_fit = -1, None
        for k in range(lo, hi):
            v = int(candidates.volunteer[k])
            if room[v] <= 0 or (other[h] >= 0 and candidates.volunteer[other[h]] == v):
                continue
            if wanted is not None:
                if v == wanted:
                    best = k
                    break
                continue
            if best_fit is None or candidates.fit[k] > best_fit:
                best, best_fit = k, candidates.fit[k]
        if best >= 0:
            slot[h] = best
            room[int(candidates.volunteer[best])] -= 1

    for h in order if start is None else ():
        primary, backup = (int(x) for x in candidates.previous[h])
        if primary >= 0:
            take(h, choice.primary, choice.backup, primary)
        if backup >= 0 and choice.primary[h] >= 0:
            take(h, choice.backup, choice.primary, backup)
    for h in order:
        if choice.primary[h] < 0:
            take(h, choice.primary, choice.backup, None)
    for h in order:
        if choice.primary[h] >= 0 and choice.backup[h] < 0:
            take(h, choice.backup, choice.primary, None)
    return choice
