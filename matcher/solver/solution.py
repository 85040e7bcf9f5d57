"""Values of the roster variables, whichever backend or greedy step produced them."""

from __future__ import annotations

import dataclasses

import numpy as np

from matcher.baselines import Placement, fill_teams, restaff_teams
from matcher.domain import Assignment, AssignmentRole, Membership, Problem, Role, Volunteer
from matcher.eligibility import Eligibility
from matcher.params import SolverParams
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term


@dataclasses.dataclass
class Solution:
    """Values of the roster variables: from a backend, or built from placements.

    Attributes
    ----------
    assign
        One flag per eligible pair: on the roster or not.
    staffed
        Whether each need that can be staffed is staffed.
    start
        Start minute of each flexible need that has one.
    terms
        Value of each coverage and soft term, when the backend reported them
        (empty for greedy rosters: :meth:`value` computes them).
    """

    assign: np.ndarray
    staffed: dict[int, bool]
    start: dict[int, int]
    terms: dict[str, float] = dataclasses.field(default_factory=dict)
    _value_of: dict[int, int] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def from_placements(
        cls, elig: Eligibility, rm: RosterModel, placements: list[Placement]
    ) -> Solution:
        """A solution from a roster given as placements (a greedy roster)."""
        assign = np.zeros(elig.size, dtype=bool)
        start = {}
        for placement in placements:
            assign[placement.pair] = True
            n = int(elig.need[placement.pair])
            if n in rm.variables.start and placement.start is not None:
                start[n] = placement.start
        staffed_needs = set(elig.need[assign].tolist())
        return cls(
            assign=assign,
            staffed={n: n in staffed_needs for n in rm.variables.staffed},
            start=start,
        )

    def placements(self, problem: Problem, elig: Eligibility) -> list[Placement]:
        """The roster as placements (fixed needs carry their own start)."""
        return [
            Placement(p, self.start.get(n, problem.needs[n].start))
            for p in np.flatnonzero(self.assign).tolist()
            for n in [int(elig.need[p])]
        ]

    def filled(
        self, problem: Problem, elig: Eligibility, gain: np.ndarray, params: SolverParams
    ) -> Solution:
        """This solution with teams rebuilt and filled greedily where the soft rules ``gain``.

        The same needs stay staffed at the same starts, so every stage before
        the soft one keeps its value.
        """
        args = (gain, params.weights.fairness, params.travel_minutes_default)
        placements = restaff_teams(problem, elig, self.placements(problem, elig), *args)
        placements = fill_teams(problem, elig, placements, *args)
        assign = np.zeros_like(self.assign)
        assign[[m.pair for m in placements]] = True
        return Solution(assign=assign, staffed=dict(self.staffed), start=dict(self.start))

    def keeps_must_cover_and_pins(self, problem: Problem, elig: Eligibility) -> bool:
        """Greedy rosters keep every other hard rule; these two they may miss."""
        staffed = set(elig.need[self.assign].tolist())
        if any(need.must_cover and n not in staffed for n, need in enumerate(problem.needs)):
            return False
        for pin in problem.pins:
            key = (problem.volunteer_index[pin.volunteer_id], problem.need_index[pin.need_id])
            p = elig.pair_index.get(key)
            if p is None or not self.assign[p]:
                return False
        return True

    def keeps_hard_rules(self, problem: Problem, elig: Eligibility, rm: RosterModel) -> bool:
        """Whether a greedy roster keeps every hard rule of the model.

        Greedy rosters keep every rule but must-cover needs, pins and, with a
        reference roster, its history.
        """
        if not self.keeps_must_cover_and_pins(problem, elig):
            return False
        return rm.reference is None or rm.reference.keeps_history(self.assign, self.start)

    def variable_values(self, rm: RosterModel) -> dict[int, int]:
        """Value of each roster variable by its index in the model.

        Fairness variables take their least value (``shifts - 1``, at least
        0), which is what an optimal stage gives them.
        """
        if self._value_of is None:
            # Once per solution: a part asks for every soft term of its roster.
            x = rm.variables
            value_of = {var.index: int(self.assign[p]) for p, var in enumerate(x.assign)}
            value_of.update({y.index: int(self.staffed[n]) for n, y in x.staffed.items()})
            for over, pairs in rm.extra_shifts:
                value_of[over.index] = max(0, int(self.assign[pairs].sum()) - 1)
            if rm.reference is not None:
                for n, literal in rm.reference.same_start.items():
                    start = self.start.get(n, rm.window_start[n])
                    value_of[literal.index] = int(start == rm.reference.starts[n])
            self._value_of = value_of
        return self._value_of

    def value(self, stage: Term, rm: RosterModel) -> float:
        """Value of a stage's objective under this solution."""
        if stage.name in self.terms:
            return self.terms[stage.name]
        value_of = self.variable_values(rm)
        # a negated literal (the changes stage's dropped pairs) has index -1 - its variable's
        return float(
            sum(
                c * (value_of[var.index] if var.index >= 0 else 1 - value_of[-1 - var.index])
                for var, c in zip(stage.variables, stage.coefficients, strict=True)
            )
        )


def _lead_rank(volunteer: Volunteer) -> tuple[int, int]:
    """Teachers lead before party members; then the problem's order (by id in a solve) decides."""
    return (
        0 if volunteer.role == Role.TEACHER else 1,
        0 if volunteer.membership == Membership.PARTY else 1,
    )


def roster_assignments(
    problem: Problem, elig: Eligibility, solution: Solution
) -> tuple[Assignment, ...]:
    """Assignments of a solution, with one lead per team that has a possible lead.

    Parameters
    ----------
    problem, elig
        The problem and the eligible pairs the solution's flags refer to.
    solution
        The roster's values.

    Returns
    -------
    tuple of Assignment
        By need, then volunteer, in the problem's order.
    """
    assignments = []
    chosen = np.flatnonzero(solution.assign)
    by_need: dict[int, list[int]] = {}
    for p in chosen.tolist():
        by_need.setdefault(int(elig.need[p]), []).append(int(elig.volunteer[p]))
    for n, team in sorted(by_need.items()):
        need = problem.needs[n]
        leads = [v for v in team if problem.volunteers[v].can_lead]
        lead = min(leads, key=lambda v: (_lead_rank(problem.volunteers[v]), v)) if leads else None
        if not (need.lead_required or len(team) > 1):
            lead = None
        start = solution.start.get(n, need.start) if need.date is not None else None
        end = start + need.duration if start is not None else None
        for v in sorted(team):
            assignments.append(
                Assignment(
                    need_id=need.id,
                    volunteer_id=problem.volunteers[v].id,
                    date=need.date,
                    start=start,
                    end=end,
                    role=AssignmentRole.LEAD if v == lead else AssignmentRole.MEMBER,
                )
            )
    return tuple(assignments)
