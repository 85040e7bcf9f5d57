"""Objectives: priority-weighted coverage first, then the weighted soft rules.

Coverage must put higher priorities strictly first: one staffed need of
priority p is worth more than all needs of lower priorities together.  With
``count[q]`` open needs of priority q that gives the weights
``W[1] = 1`` and ``W[p] = 1 + sum(count[q] * W[q] for q < p)``.  They grow
fast; when their total would leave the range where CP-SAT's LP arithmetic is
exact (2**50), coverage is split into one stage per priority instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Membership, Problem
from matcher.eligibility import Eligibility, Participation
from matcher.params import Weights
from matcher.solver.variables import RosterVariables
from matcher.solver.wishes import wish_counts

EXACT_LIMIT = 2**50


@dataclasses.dataclass(frozen=True)
class Term:
    """A named linear objective term: ``sum(coeffs[i] * variables[i])``."""

    name: str
    variables: Sequence[cp_model.LinearExprT]
    coefficients: Sequence[int]

    def expression(self) -> cp_model.LinearExprT:
        """The term as a CP-SAT linear expression."""
        return cp_model.LinearExpr.weighted_sum(list(self.variables), list(self.coefficients))


def lexicographic_weights(counts: Mapping[int, int]) -> dict[int, int]:
    """Weight of a staffed need per priority (1..5) from the number of needs of each.

    ``W[1] = 1`` and ``W[p] = 1 + sum(counts[q] * W[q] for q < p)``: one need
    of a priority outweighs all needs of lower priorities together.  Exact
    integers however large; the one computation of these weights, for a
    model (:func:`coverage_weights`) and for results merged from parts.
    """
    weights: dict[int, int] = {}
    below = 0
    for p in range(1, 6):
        weights[p] = below + 1
        below += counts.get(p, 0) * weights[p]
    return weights


def coverage_weights(problem: Problem, open_needs: Sequence[int]) -> dict[int, int]:
    """Weight of a staffed need per priority (1..5), strictly lexicographic."""
    counts = {p: 0 for p in range(1, 6)}
    for n in open_needs:
        counts[problem.needs[n].priority] += 1
    return lexicographic_weights(counts)


def coverage_stages(problem: Problem, x: RosterVariables) -> list[Term]:
    """Coverage as one weighted term, or one term per priority when weights get too large."""
    open_needs = sorted(x.staffed)
    weights = coverage_weights(problem, open_needs)
    total = sum(weights[problem.needs[n].priority] for n in open_needs)
    if total <= EXACT_LIMIT:
        return [
            Term(
                "coverage",
                [x.staffed[n] for n in open_needs],
                [weights[problem.needs[n].priority] for n in open_needs],
            )
        ]
    stages = []
    for p in range(5, 0, -1):
        chosen = [n for n in open_needs if problem.needs[n].priority == p]
        if chosen:
            stages.append(Term(f"coverage_p{p}", [x.staffed[n] for n in chosen], [1] * len(chosen)))
    return stages


def wishes_stages(counts: np.ndarray, pair_open: np.ndarray, x: RosterVariables) -> list[Term]:
    """The wishes stage: household wishes met by the roster, each once per assignment.

    Parameters
    ----------
    counts
        Wishes each pair meets (:func:`matcher.solver.wishes.wish_counts`).
    pair_open
        Whether each pair belongs to a need that can be staffed (the others
        are constants 0 in the model).
    x
        The model's variables.

    Returns
    -------
    list of Term
        One term named ``wishes``, or none when no pair can meet a wish (a
        stage that can only be 0 would cost a solve for nothing).
        Coefficients are 1 or 2 (a volunteer meeting both of a household's
        wishes); :func:`matcher.solver.stages.hold_rows` holds such a stage
        by its single row.
    """
    chosen = np.flatnonzero((counts > 0) & pair_open).tolist()
    if not chosen:
        return []
    return [Term("wishes", [x.assign[p] for p in chosen], counts[chosen].tolist())]


@dataclasses.dataclass(frozen=True)
class Standing:
    """Per-volunteer bonuses that compare a volunteer with everyone else.

    ``widening`` (non-party or first-time volunteers, 0/1) and ``behind``
    (0..3, below the median of past minutes) are the only soft scores that
    read the whole problem: the median, and whether anyone has a history.
    When the problem carries the participation ledger's standing
    (``Problem.ledger``), ``behind`` is the ledger's (points for its period,
    3 for a warned member) and ``unreliable`` (0..3) scales its no-show rates.
    An independent part of the problem must take them from the whole problem
    (:meth:`subset`), or its soft objective would differ from the whole's.
    """

    widening: np.ndarray
    behind: np.ndarray | None
    """None when nobody attended anything (then the rule has no term at all)."""
    unreliable: np.ndarray | None = None
    """0..3 from the ledger's no-show rates; None without a ledger standing."""

    @classmethod
    def of(cls, problem: Problem, history: Participation | None = None) -> Standing:
        """The standing of every volunteer of ``problem``."""
        history = history or Participation.of(problem)
        has_history = bool(problem.history)
        widening = np.array(
            [
                v.membership == Membership.NONE or (has_history and not history.attended[i])
                for i, v in enumerate(problem.volunteers)
            ],
            dtype=np.int64,
        ).reshape(len(problem.volunteers))
        if problem.ledger:
            # the ledger knows the period's points and who is warned: its word counts
            behind = np.zeros(len(problem.volunteers), dtype=np.int64)
            unreliable = np.zeros(len(problem.volunteers), dtype=np.int64)
            for standing in problem.ledger:
                v = problem.volunteer_index[standing.volunteer_id]
                behind[v] = standing.behind
                unreliable[v] = round(3 * standing.no_show_rate)
            return cls(widening=widening, behind=behind, unreliable=unreliable)
        behind = None
        if history.attended.any():
            minutes = history.minutes.astype(np.float64)
            median = float(np.median(minutes)) or 1.0
            behind = np.rint(3 * np.clip(1 - minutes / median, 0, 1)).astype(np.int64)
        return cls(widening=widening, behind=behind)

    def subset(self, volunteers: np.ndarray) -> Standing:
        """The standing of some volunteers (positions in the whole problem), in that order."""
        return Standing(
            widening=self.widening[volunteers],
            behind=None if self.behind is None else self.behind[volunteers],
            unreliable=None if self.unreliable is None else self.unreliable[volunteers],
        )


def pair_scores(
    problem: Problem, elig: Eligibility, weights: Weights, standing: Standing | None = None
) -> dict[str, np.ndarray]:
    """Per-pair coefficients of each soft rule that scores single assignments.

    Parameters
    ----------
    problem, elig, weights
        The problem, its eligible pairs and the soft-rule weights.
    standing
        Per-volunteer bonuses taken from a larger problem this one is a part
        of; default: computed from ``problem`` itself.

    Returns
    -------
    dict
        Term name to an int64 array over the eligible pairs.
    """
    volunteers, needs = problem.volunteers, problem.needs
    vol, need = elig.volunteer, elig.need
    size = elig.size
    history = Participation.of(problem)
    if standing is None:
        standing = Standing.of(problem, history)
    scores: dict[str, np.ndarray] = {}
    if weights.affinity:
        scores["affinity"] = weights.affinity * elig.affinity
    if weights.travel:
        scores["travel"] = -weights.travel * (elig.extra_minutes // 10)
    if weights.department_fit:
        departments = {d.name: set(d.fit_categories) for d in problem.departments}
        fit = np.array(
            [
                needs[n].category in departments.get(volunteers[v].department, ())
                for v, n in zip(vol.tolist(), need.tolist(), strict=True)
            ],
            dtype=np.int64,
        ).reshape(size)
        scores["department_fit"] = weights.department_fit * fit
    if weights.continuity and history.served:
        cont = np.array(
            [
                needs[n].household_id is not None and (v, needs[n].household_id) in history.served
                for v, n in zip(vol.tolist(), need.tolist(), strict=True)
            ],
            dtype=np.int64,
        ).reshape(size)
        scores["continuity"] = weights.continuity * cont
    if weights.widening:
        widen = standing.widening
        scores["widening"] = weights.widening * widen[vol] if size else np.zeros(0, np.int64)
    if weights.party:
        party = np.array([v.membership.is_party for v in volunteers], dtype=np.int64)
        scores["party"] = weights.party * party[vol] if size else np.zeros(0, np.int64)
    if weights.behind and standing.behind is not None:
        behind = standing.behind
        scores["behind"] = weights.behind * behind[vol] if size else np.zeros(0, np.int64)
    if weights.reliability and standing.unreliable is not None and standing.unreliable.any():
        # a need one volunteer covers alone and that must be covered: a no-show empties it
        alone = np.array([n.must_cover and n.max_volunteers == 1 for n in needs], dtype=np.int64)
        scores["reliability"] = (
            -weights.reliability * standing.unreliable[vol] * alone[need]
            if size
            else np.zeros(0, np.int64)
        )
    if weights.household_preference and problem.households:
        scores["household_preference"] = weights.household_preference * wish_counts(problem, elig)
    return scores


def pair_gain(
    problem: Problem, elig: Eligibility, weights: Weights, scores: dict[str, np.ndarray]
) -> np.ndarray:
    """Soft-rule value of adding each pair to a staffed need (fill plus pair scores)."""
    gain = np.zeros(elig.size, dtype=np.int64)
    for coeff in scores.values():
        gain += coeff
    if weights.fill and elig.size:
        priority = np.array([n.priority for n in problem.needs], dtype=np.int64)
        roomy = np.array([n.max_volunteers > n.min_volunteers for n in problem.needs])
        gain += weights.fill * priority[elig.need] * roomy[elig.need]
    return gain


def soft_terms(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    weights: Weights,
    derived: list[tuple[cp_model.IntVar, list[int]]] | None = None,
    scores: dict[str, np.ndarray] | None = None,
) -> list[Term]:
    """All soft-rule terms (to maximise) for the second stage.

    ``derived`` (when given) receives each auxiliary variable with the pairs
    it counts (``over = max(0, sum(pairs) - 1)``), so a hint can set it.
    """
    terms = []
    if scores is None:
        scores = pair_scores(problem, elig, weights)
    for name, coeff in scores.items():
        nonzero = np.flatnonzero(coeff)
        if nonzero.size:
            terms.append(
                Term(name, [x.assign[p] for p in nonzero.tolist()], coeff[nonzero].tolist())
            )
    if weights.fill:
        variables: list[cp_model.LinearExprT] = []
        coeffs: list[int] = []
        for n, y in x.staffed.items():
            need = problem.needs[n]
            if need.max_volunteers == need.min_volunteers:
                continue
            w = weights.fill * need.priority
            for p in elig.pairs_of_need(n).tolist():
                variables.append(x.assign[p])
                coeffs.append(w)
            variables.append(y)
            coeffs.append(-w * need.min_volunteers)
        if variables:
            terms.append(Term("fill", variables, coeffs))
    if weights.fairness:
        extra_shifts = []
        for v, volunteer in enumerate(problem.volunteers):
            pairs = elig.pairs_of_volunteer(v).tolist()
            if len(pairs) < 2 or volunteer.max_shifts < 2:
                continue
            over = model.new_int_var(0, min(len(pairs), volunteer.max_shifts) - 1, f"over_{v}")
            model.add(over >= sum(x.assign[p] for p in pairs) - 1)
            extra_shifts.append(over)
            if derived is not None:
                derived.append((over, pairs))
        if extra_shifts:
            terms.append(Term("fairness", extra_shifts, [-weights.fairness] * len(extra_shifts)))
    return terms


def _best_prefixes(group: np.ndarray, gain: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """Pairs sorted by group, best gain first: group, k - 1 and the sum of the k best gains."""
    order = np.lexsort((-gain, group))
    group, best = group[order].astype(np.int64), gain[order].astype(np.int64)
    starts = np.searchsorted(group, np.arange(count + 1))
    rank = np.arange(group.size) - starts[group]
    total = np.cumsum(best)
    return group, rank, total - np.concatenate(([0], total))[starts[group]]


def separable_soft_bound(
    problem: Problem,
    volunteer: np.ndarray,
    need: np.ndarray,
    gain: np.ndarray,
    weights: Weights,
) -> float:
    """An upper bound of the soft objective that needs no solver.

    The soft objective is at most what each volunteer would score alone,
    taking their best ``max_shifts`` pairs less the fairness penalty beyond
    the first; and at most what each need would score alone, taking its best
    team of ``min_volunteers`` to ``max_volunteers`` (the fill bonus counts
    beyond the minimum only) or nobody.  Both drop every other rule, so the
    smaller of the two sums holds for every roster.  Weaker than CP-SAT's LP
    bound once that is solved, far stronger than its first guess: the bound
    of a part the time limit cut short.

    Parameters
    ----------
    problem
        The problem (budgets and team sizes).
    volunteer, need, gain
        Volunteer, need and soft gain (:func:`pair_gain`: pair scores plus
        the fill bonus) of each pair that can be staffed.
    weights
        The soft-rule weights (fairness and fill).
    """
    if volunteer.size == 0:
        return 0.0
    count = len(problem.volunteers)
    who, rank, taken = _best_prefixes(volunteer, gain, count)
    shifts = np.array([v.max_shifts for v in problem.volunteers], dtype=np.int64)
    allowed = rank < shifts[who]
    by_volunteer = np.zeros(count, dtype=np.int64)
    np.maximum.at(by_volunteer, who[allowed], (taken - weights.fairness * rank)[allowed])

    needs = problem.needs
    low = np.array([n.min_volunteers for n in needs], dtype=np.int64)
    high = np.array([n.max_volunteers for n in needs], dtype=np.int64)
    fill = weights.fill * np.array([n.priority for n in needs], dtype=np.int64) * (high > low)
    which, rank, taken = _best_prefixes(need, gain, len(needs))
    size = rank + 1
    allowed = (size >= low[which]) & (size <= high[which])
    by_need = np.zeros(len(needs), dtype=np.int64)
    np.maximum.at(by_need, which[allowed], (taken - fill[which] * low[which])[allowed])
    return float(min(by_volunteer.sum(), by_need.sum()))


def pair_bound(
    problem: Problem,
    elig: Eligibility,
    pair_open: np.ndarray,
    gain: np.ndarray,
    weights: Weights,
    stage: str,
) -> float | None:
    """A bound of the soft or the wishes stage from the pairs alone (None for other stages).

    :func:`separable_soft_bound` of the stage's value per pair: the soft
    rules' ``gain`` with their fill and fairness, or the wishes each pair
    meets with neither.  When time runs out before CP-SAT's LP bound of a
    stage (a city's parts get seconds each; a large model's later stages
    spend most of theirs searching neighbourhoods) it is far closer than
    the trivial bound; every bound holds, so the smallest is reported.

    Parameters
    ----------
    problem, elig
        The problem and its eligible pairs.
    pair_open
        Whether each pair belongs to a need that can be staffed.
    gain
        The soft value of each pair (:func:`pair_gain`).
    weights
        The soft rules' weights.
    stage
        The stage's name.
    """
    if stage == "soft":
        value = gain
    elif stage == "wishes":
        value = wish_counts(problem, elig)
        weights = dataclasses.replace(weights, fill=0, fairness=0)
    else:
        return None
    return separable_soft_bound(
        problem, elig.volunteer[pair_open], elig.need[pair_open], value[pair_open], weights
    )


def soft_values(
    problem: Problem,
    elig: Eligibility,
    weights: Weights,
    scores: dict[str, np.ndarray],
    assign: np.ndarray,
    open_needs: Sequence[int],
) -> dict[str, float]:
    """Each soft term's value for a roster, as :func:`soft_terms` scores it, without a model.

    Parameters
    ----------
    problem, elig, weights
        The problem, its eligible pairs and the soft-rule weights.
    scores
        :func:`pair_scores` of the same problem.
    assign
        Whether each pair is on the roster (a roster that keeps every hard rule).
    open_needs
        Needs that some roster could staff (the model's ``staffed`` variables).

    Returns
    -------
    dict
        Term name to value, the same terms as :func:`soft_terms` builds.
    """
    values: dict[str, float] = {}
    for name, coeff in scores.items():
        if np.flatnonzero(coeff).size:
            values[name] = float(coeff[assign].sum())
    team = np.bincount(elig.need[assign], minlength=len(problem.needs))
    if weights.fill:
        roomy = [
            n
            for n in open_needs
            if problem.needs[n].max_volunteers > problem.needs[n].min_volunteers
        ]
        if roomy:
            # A need with anyone on it is staffed, so it pays beyond its minimum only.
            values["fill"] = float(
                sum(
                    weights.fill
                    * problem.needs[n].priority
                    * (int(team[n]) - problem.needs[n].min_volunteers)
                    for n in roomy
                    if team[n]
                )
            )
    if weights.fairness:
        count = len(problem.volunteers)
        pairs = np.bincount(elig.volunteer, minlength=count)
        shifts = np.bincount(elig.volunteer[assign], minlength=count)
        budget = np.array([v.max_shifts for v in problem.volunteers], dtype=np.int64)
        counted = (pairs >= 2) & (budget >= 2)
        if counted.any():
            extra = np.maximum(shifts[counted] - 1, 0).sum()
            values["fairness"] = float(-weights.fairness * int(extra))
    return values
