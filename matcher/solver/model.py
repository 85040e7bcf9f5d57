"""Assemble the CP-SAT roster model from a problem and its eligible pairs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.params import SolverParams
from matcher.solver import constraints
from matcher.solver.objective import (
    Standing,
    Term,
    coverage_stages,
    pair_gain,
    pair_scores,
    soft_terms,
    wishes_stages,
)
from matcher.solver.reference import Reference, ReferenceModel, add_reference
from matcher.solver.variables import RosterVariables, make_variables
from matcher.solver.wishes import wish_counts
from matcher.teams import Blocker
from matcher.teams import staffing_blockers as team_blockers


@dataclasses.dataclass
class RosterModel:
    """A built model with its variables and objective stages."""

    model: cp_model.CpModel
    variables: RosterVariables
    open_needs: list[int]
    closed: dict[int, list[Blocker]]
    """Needs that cannot be staffed whatever the roster, with the rule that stops them."""
    coverage: list[Term]
    soft: list[Term]
    extra_shifts: list[tuple[cp_model.IntVar, list[int]]]
    """Fairness variables with the pairs they count (for complete hints)."""
    gain: np.ndarray
    """Soft-rule value of adding each pair to a staffed need (for the fill step)."""
    pair_open: np.ndarray
    """Whether each pair belongs to a need that can be staffed (has a real variable)."""
    window_start: dict[int, int]
    """Window start of each flexible need (hint for needs left unstaffed)."""
    wishes: list[Term] = dataclasses.field(default_factory=list)
    """The wishes stage between coverage and the soft rules (empty when off or nothing to wish)."""
    reference: ReferenceModel | None = None
    """The roster to stay close to: its ``changes`` stage runs right after coverage."""

    @property
    def changes(self) -> list[Term]:
        """The changes stage, when there is a reference roster (else none)."""
        return [self.reference.term] if self.reference is not None else []


def staffing_blockers(problem: Problem, elig: Eligibility, n: int) -> list[Blocker]:
    """Why need ``n`` cannot be staffed by any roster (empty when it might be).

    Only counts eligible volunteers: the model decides the rest
    (:func:`matcher.teams.staffing_blockers` on the need's candidates).
    """
    volunteers = [problem.volunteers[v] for v in elig.volunteer[elig.pairs_of_need(n)].tolist()]
    return team_blockers(problem.needs[n], volunteers)


def add_hard_rules(
    model: cp_model.CpModel,
    problem: Problem,
    elig: Eligibility,
    x: RosterVariables,
    travel_default: int,
    must_cover: Mapping[int, cp_model.IntVar] | None = None,
    pins: Sequence[cp_model.IntVar] | None = None,
) -> None:
    """Every hard rule that ties pairs together, once for the roster model and the conflict search.

    ``must_cover`` (a literal per open must-cover need) and ``pins`` (one per
    pin) switch those rules on only when their literal is true; None: they
    always hold.
    """
    constraints.add_staffing(model, problem, elig, x)
    constraints.add_must_cover(model, problem, x, must_cover)
    constraints.add_team_rules(model, problem, elig, x)
    constraints.add_caps(model, problem, elig, x)
    constraints.add_flexible_windows(model, problem, elig, x)
    constraints.add_no_overlap(model, problem, elig, x, travel_default)
    constraints.add_pins(model, problem, elig, x, pins)


def build_model(
    problem: Problem,
    elig: Eligibility,
    params: SolverParams,
    standing: Standing | None = None,
    reference: Reference | None = None,
) -> RosterModel:
    """Build the model: variables, every hard rule, and the objective stages.

    Must-cover needs that cannot be staffed by any roster are left open so
    that the model is infeasible (and the caller reports them).  ``standing``
    carries the per-volunteer bonuses of the whole problem when ``problem``
    is one independent part of it (see :class:`Standing`).  ``reference``
    adds the changes stage, pins its history and takes its cancelled
    volunteers out (:mod:`matcher.solver.reference`).
    """
    model = cp_model.CpModel()
    closed: dict[int, list[Blocker]] = {}
    open_needs: list[int] = []
    for n in range(len(problem.needs)):
        blockers = staffing_blockers(problem, elig, n)
        if blockers:
            closed[n] = blockers
        else:
            open_needs.append(n)
    x = make_variables(model, problem, elig, open_needs)
    for n in closed:
        if problem.needs[n].must_cover:
            model.add_bool_or([])  # a must-cover need nobody can staff: infeasible
    add_hard_rules(model, problem, elig, x, params.travel_minutes_default)
    held = add_reference(model, problem, elig, x, reference) if reference is not None else None
    extra_shifts: list[tuple[cp_model.IntVar, list[int]]] = []
    scores = pair_scores(problem, elig, params.weights, standing)
    soft = soft_terms(model, problem, elig, x, params.weights, extra_shifts, scores)
    pair_open = np.isin(elig.need, np.array(open_needs, dtype=np.int64))
    wishes = (
        wishes_stages(wish_counts(problem, elig), pair_open, x)
        if params.wishes_stage and problem.households
        else []
    )
    return RosterModel(
        model=model,
        variables=x,
        open_needs=open_needs,
        closed=closed,
        coverage=coverage_stages(problem, x),
        soft=soft,
        extra_shifts=extra_shifts,
        gain=pair_gain(problem, elig, params.weights, scores),
        pair_open=pair_open,
        window_start={n: int(problem.needs[n].start) for n in x.start},  # type: ignore[arg-type]
        wishes=wishes,
        reference=held,
    )
