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
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Membership, Problem
from matcher.eligibility import Eligibility, Participation
from matcher.params import Weights
from matcher.solver.variables import RosterVariables

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


def coverage_weights(problem: Problem, open_needs: Sequence[int]) -> dict[int, int]:
    """Weight of a staffed need per priority (1..5), strictly lexicographic."""
    counts = {p: 0 for p in range(1, 6)}
    for n in open_needs:
        counts[problem.needs[n].priority] += 1
    weights: dict[int, int] = {}
    below = 0
    for p in range(1, 6):
        weights[p] = below + 1
        below += counts[p] * weights[p]
    return weights


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


def pair_scores(problem: Problem, elig: Eligibility, weights: Weights) -> dict[str, np.ndarray]:
    """Per-pair coefficients of each soft rule that scores single assignments.

    Returns
    -------
    dict
        Term name to an int64 array over the eligible pairs.
    """
    volunteers, needs = problem.volunteers, problem.needs
    vol, need = elig.volunteer, elig.need
    size = elig.size
    history = Participation.of(problem)
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
        has_history = bool(problem.history)
        widen = np.array(
            [
                v.membership == Membership.NONE or (has_history and not history.attended[i])
                for i, v in enumerate(volunteers)
            ],
            dtype=np.int64,
        )
        scores["widening"] = weights.widening * widen[vol] if size else np.zeros(0, np.int64)
    if weights.behind and history.attended.any():
        minutes = history.minutes.astype(np.float64)
        median = float(np.median(minutes)) or 1.0
        behind = np.rint(3 * np.clip(1 - minutes / median, 0, 1)).astype(np.int64)
        scores["behind"] = weights.behind * behind[vol] if size else np.zeros(0, np.int64)
    if weights.household_preference and problem.households:
        households = problem.household_by_id
        pref = np.zeros(size, dtype=np.int64)
        for p, (v, n) in enumerate(zip(vol.tolist(), need.tolist(), strict=True)):
            h = needs[n].household_id
            if h is None:
                continue
            household, volunteer = households[h], volunteers[v]
            if (
                household.preferred_gender is not None
                and volunteer.gender == household.preferred_gender
            ):
                pref[p] += 1
            shared = set(household.languages) & set(volunteer.languages) - {"普通话"}
            if shared:
                pref[p] += 1
        scores["household_preference"] = weights.household_preference * pref
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
