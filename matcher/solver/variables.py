"""Decision variables of the roster model, one per eligible pair only."""

from __future__ import annotations

import dataclasses

from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.eligibility import Eligibility


@dataclasses.dataclass
class RosterVariables:
    """The variables of one model.

    Attributes
    ----------
    assign
        ``assign[p]`` is true when pair ``p`` (an eligible volunteer-need pair) is on the roster.
    staffed
        ``staffed[n]`` is true when need ``n`` gets at least its minimum; needs
        that cannot possibly be staffed have no variable.
    start
        Start minute of each flexible need that can be staffed.
    """

    assign: list[cp_model.IntVar]
    staffed: dict[int, cp_model.IntVar]
    start: dict[int, cp_model.IntVar]


def make_variables(
    model: cp_model.CpModel, problem: Problem, eligibility: Eligibility, open_needs: list[int]
) -> RosterVariables:
    """Create the variables for the needs that can still be staffed.

    Pairs of needs outside ``open_needs`` get a variable fixed to false, so
    pair positions stay those of ``eligibility``.
    """
    open_set = set(open_needs)
    assign = []
    for p, n in enumerate(eligibility.need.tolist()):
        if n in open_set:
            assign.append(model.new_bool_var(f"x_{p}"))
        else:
            assign.append(model.new_constant(0))
    staffed = {n: model.new_bool_var(f"y_{n}") for n in open_needs}
    start = {}
    for n in open_needs:
        need = problem.needs[n]
        if need.is_flexible:
            assert need.start is not None and need.latest_start is not None
            start[n] = model.new_int_var(need.start, need.latest_start, f"s_{n}")
    return RosterVariables(assign=assign, staffed=staffed, start=start)
