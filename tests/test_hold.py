"""Holding the coverage stage by counts per priority keeps exactly the rosters the row keeps."""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from matcher.solver.cpsat import hold_stage
from matcher.solver.objective import Term


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, variables: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.variables = variables
        self.seen: set[tuple[int, ...]] = set()

    def on_solution_callback(self) -> None:
        self.seen.add(tuple(self.value(v) for v in self.variables))


def _solutions(levels: list[int], weights: list[int], reached: int, bound: int) -> set[tuple]:
    model = cp_model.CpModel()
    variables = [model.new_bool_var(f"y{i}") for i in range(sum(levels))]
    coefficients = [w for w, k in zip(weights, levels, strict=True) for _ in range(k)]
    hold_stage(model, Term("coverage", variables, coefficients), reached, bound)
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    collect = _Collect(variables)
    solver.solve(model, collect)
    return collect.seen


@pytest.mark.parametrize("levels", [(2, 3, 2), (1, 2, 3), (3, 1, 1, 2)])
def test_hold_keeps_the_same_rosters(levels: tuple[int, ...]) -> None:
    # mixed-radix weights, lowest priority first as coverage_weights makes them
    weights, below = [], 0
    for k in reversed(levels):
        weights.append(below + 1)
        below += k * weights[-1]
    weights.reverse()
    size = sum(levels)
    coefficients = [w for w, k in zip(weights, levels, strict=True) for _ in range(k)]
    values = sorted(
        {
            sum(c * b for c, b in zip(coefficients, bits, strict=True))
            for bits in itertools.product((0, 1), repeat=size)
        }
    )
    for reached in values[:: max(1, len(values) // 6)]:
        for bound in (reached, values[-1], values[(values.index(reached) + len(values)) // 2]):
            expected = {
                bits
                for bits in itertools.product((0, 1), repeat=size)
                if sum(c * b for c, b in zip(coefficients, bits, strict=True)) >= reached
            }
            # a bound is proven: no roster is above it, so compare within it
            expected = {
                bits
                for bits in expected
                if sum(c * b for c, b in zip(coefficients, bits, strict=True)) <= bound
            }
            got = {
                bits
                for bits in _solutions(list(levels), weights, reached, bound)
                if sum(c * b for c, b in zip(coefficients, bits, strict=True)) <= bound
            }
            assert got == expected, (levels, reached, bound)
