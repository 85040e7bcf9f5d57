"""A reference roster in the model: each assignment that differs from it is a change.

Timefold's non-disruptive replanning, in the lexicographic driver's terms: a
stage of its own, ``changes``, right after coverage (before the wishes and
the soft rules).  Coverage is maximised first and held, so a change is
made only where it staffs more (a higher priority first); then the fewest
changes are held while the wishes and the soft rules choose among the
rosters that are left.  A stage rather than a weight because a weight
would have to outweigh every soft rule together to mean "never for a soft
gain", and the soft stage would then optimise a sum spanning many orders
of magnitude (:func:`matcher.solver.stages.hold_rows` explains why that
starves CP-SAT's LP); a stage says the same exactly.

What counts as one change:

* an assignment of the reference that the roster drops (the volunteer left
  the need), and one the roster adds: a volunteer moved from one need to
  another is two changes, as it is two messages to send;
* a flexible need of the reference whose start moves, once per volunteer of
  the reference on it (each of them is told the new time).

History stays pinned: the pairs of needs dated before ``frozen_before`` are
fixed to the reference (held or not held, as published).  Reference
assignments the model cannot hold at all (the volunteer or need is gone,
the pair is no longer eligible, e.g. a cancelled volunteer made unavailable
by :mod:`matcher.repair`, or the need can no longer be staffed) are changes
forced on every roster: they are counted apart
(:attr:`ReferenceModel.forced`), not in the stage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Assignment, Problem
from matcher.eligibility import Eligibility
from matcher.solver.objective import Term
from matcher.solver.variables import RosterVariables

CHANGES = "changes"
"""Name of the stage (and of its objective term): minus the number of changes."""


@dataclasses.dataclass(frozen=True)
class Reference:
    """The roster to stay close to, and what changed since it was made.

    Attributes
    ----------
    assignments
        The reference roster (the published plan, or a roster read from a file).
    frozen_before
        Needs dated before this day are history: their assignments stay as
        in the reference.  None: nothing is history.
    """

    assignments: tuple[Assignment, ...]
    frozen_before: dt.date | None = None

    def is_history(self, day: dt.date | None) -> bool:
        """Whether a need on ``day`` is history (an undated need never is)."""
        return self.frozen_before is not None and day is not None and day < self.frozen_before


@dataclasses.dataclass
class ReferenceModel:
    """The reference as the model holds it.

    Attributes
    ----------
    held
        One flag per pair: the reference has it.
    fixed
        One flag per pair: history, fixed to ``held``.
    starts
        Reference start of each flexible need (model position) it staffs.
    same_start
        A literal per flexible need of ``starts``: true when the roster keeps that start.
    start_weight
        Reference volunteers on each of those needs (what a moved start costs).
    forced
        Reference assignments no roster of the model can hold (counted apart).
    term
        The changes stage (``sum`` of ``-1`` per change the model can avoid).
    """

    held: np.ndarray
    fixed: np.ndarray
    starts: dict[int, int]
    same_start: dict[int, cp_model.IntVar]
    start_weight: dict[int, int]
    forced: tuple[Assignment, ...]
    term: Term

    def changes(self, value: float) -> int:
        """Changes of a roster whose ``changes`` stage has ``value``, forced ones included."""
        return len(self.forced) - round(value)

    def keeps_history(self, assign: np.ndarray, start: dict[int, int]) -> bool:
        """Whether a roster (a flag per pair, flexible starts) leaves the history as it was."""
        if not np.array_equal(assign[self.fixed], self.held[self.fixed]):
            return False
        return all(start.get(n, s) == s for n, s in self.history_starts.items())

    @property
    def history_starts(self) -> dict[int, int]:
        """Reference starts of the flexible needs that are history (fixed in the model)."""
        return {n: s for n, s in self.starts.items() if n not in self.same_start}


def reference_pairs(
    problem: Problem, elig: Eligibility, assignments: Sequence[Assignment]
) -> tuple[np.ndarray, list[Assignment]]:
    """Which pairs the reference holds, and its assignments that are no pair at all.

    Parameters
    ----------
    problem, elig
        The problem and its eligible pairs.
    assignments
        The reference roster.

    Returns
    -------
    tuple
        A flag per pair, and the reference assignments whose volunteer or
        need is not in the problem or whose pair is not eligible.
    """
    held = np.zeros(elig.size, dtype=bool)
    lost: list[Assignment] = []
    for a in assignments:
        v = problem.volunteer_index.get(a.volunteer_id)
        n = problem.need_index.get(a.need_id)
        p = elig.pair_index.get((v, n)) if v is not None and n is not None else None
        if p is None:
            lost.append(a)
        else:
            held[p] = True
    return held, lost


def add_reference(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    reference: Reference,
) -> ReferenceModel:
    """Pin the history and build the changes stage.

    Parameters
    ----------
    model, problem, elig, x
        The roster model being built, its problem, pairs and variables.
    reference
        The roster to stay close to.

    Returns
    -------
    ReferenceModel
        With the ``changes`` term to run as a stage right after coverage.
    """
    held, lost = reference_pairs(problem, elig, reference.assignments)
    forced = list(lost)
    fixed = np.zeros(elig.size, dtype=bool)
    open_needs = set(x.staffed)
    variables: list[cp_model.LinearExprT] = []
    coefficients: list[int] = []
    for p, (v, n) in enumerate(zip(elig.volunteer.tolist(), elig.need.tolist(), strict=True)):
        need = problem.needs[n]
        if reference.is_history(need.date):
            if n in open_needs:
                model.add(x.assign[p] == int(held[p]))
                fixed[p] = True
            elif held[p]:
                forced.append(_assignment_of(problem, reference, v, n))
            continue
        if n not in open_needs:
            if held[p]:
                forced.append(_assignment_of(problem, reference, v, n))
            continue
        # keeping a reference pair scores 0, dropping it -1; adding a new one -1
        variables.append(~x.assign[p] if held[p] else x.assign[p])
        coefficients.append(-1)
    starts, same_start, weight = _reference_starts(model, problem, x, reference, held, elig)
    for n, literal in same_start.items():
        variables.append(~literal)
        coefficients.append(-weight[n])
    return ReferenceModel(
        held=held,
        fixed=fixed,
        starts=starts,
        same_start=same_start,
        start_weight=weight,
        forced=tuple(forced),
        term=Term(CHANGES, variables, coefficients),
    )


def _assignment_of(problem: Problem, reference: Reference, v: int, n: int) -> Assignment:
    """The reference's assignment of volunteer ``v`` on need ``n``."""
    volunteer_id, need_id = problem.volunteers[v].id, problem.needs[n].id
    return next(
        a for a in reference.assignments if a.volunteer_id == volunteer_id and a.need_id == need_id
    )


def _reference_starts(
    model: cp_model.CpModel,
    problem: Problem,
    x: RosterVariables,
    reference: Reference,
    held: np.ndarray,
    elig: Eligibility,
) -> tuple[dict[int, int], dict[int, cp_model.IntVar], dict[int, int]]:
    """The reference start of each flexible need, and a literal that keeps it.

    A history need's start is fixed outright; a future one's is a change per
    reference volunteer on it when it moves.
    """
    starts: dict[int, int] = {}
    weight: dict[int, int] = {}
    for a in reference.assignments:
        n = problem.need_index.get(a.need_id)
        if n is None or n not in x.start or a.start is None:
            continue
        need = problem.needs[n]
        assert need.start is not None and need.latest_start is not None
        if need.start <= a.start <= need.latest_start:
            starts.setdefault(n, a.start)
            weight[n] = weight.get(n, 0) + 1
    same_start: dict[int, cp_model.IntVar] = {}
    for n, start in starts.items():
        if reference.is_history(problem.needs[n].date):
            if any(held[p] for p in elig.pairs_of_need(n).tolist()):
                model.add(x.start[n] == start)
            continue
        literal = model.new_bool_var(f"same_start_{n}")
        model.add(x.start[n] == start).only_enforce_if(literal)
        same_start[n] = literal
    return starts, same_start, {n: weight[n] for n in same_start}
