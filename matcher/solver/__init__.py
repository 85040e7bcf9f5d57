"""CP-SAT roster solver: variables, constraints, objective, model, solve."""

from matcher.solver.solve import solve

__all__ = ["solve"]
