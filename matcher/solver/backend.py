"""What a solver must do for the stage driver: the backend protocol.

The lexicographic procedure (:mod:`matcher.solver.stages`) is the same
whichever solver runs a stage.  A backend owns one built roster model and
does the solver-specific part: take a complete start, maximise one stage
within a time budget, report objective, bound and status, keep a finished
stage held for the next ones, and stop early when asked.  CP-SAT is the
library's backend (:mod:`matcher.solver.cpsat`); the benchmark adds HiGHS on
a MILP translation of the same model (``benchmarks/highs_backend.py``).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from matcher.solver.objective import Term
from matcher.solver.solution import Solution

Improved = Callable[[float, float], None]
"""Called as ``improved(objective, bound)`` on each better roster of a stage."""


class StageEnd(enum.Enum):
    """How a backend's stage ended."""

    OPTIMAL = "optimal"
    """The backend says optimal (the driver still checks the gap is closed)."""
    FEASIBLE = "feasible"
    """A roster, not proven optimal."""
    INFEASIBLE = "infeasible"
    """No roster keeps every rule (and every stage held)."""
    NO_ROSTER = "no roster"
    """Stopped or out of time before any roster of this stage."""


@dataclasses.dataclass(frozen=True)
class StageOutcome:
    """What one stage reached.

    Attributes
    ----------
    end
        How it ended.
    objective
        The stage's value at ``solution`` (None without one).
    bound
        The backend's proven upper bound, None when it has none that can be
        trusted (the driver then uses a bound that always holds).
    runtime
        Seconds the backend spent.
    solution
        The roster reached (OPTIMAL and FEASIBLE only).
    """

    end: StageEnd
    objective: float | None
    bound: float | None
    runtime: float
    solution: Solution | None = None


@dataclasses.dataclass(frozen=True)
class HeldRow:
    """``lower <= sum(coefficients * variables) <= upper`` (a None side is open).

    How a finished stage is kept for the later ones; the rows are decided
    once, by :func:`matcher.solver.stages.hold_rows`, and each backend adds
    them in its own terms.
    """

    variables: Sequence[object]
    """Model variables (``cp_model.IntVar``: the MILP columns are their indices)."""
    coefficients: Sequence[int]
    lower: int | None
    upper: int | None


@runtime_checkable
class Backend(Protocol):
    """A solver for the stages of one roster model."""

    def start_from(self, solution: Solution) -> None:
        """Start the next stage from this complete roster (a hint, a MIP start)."""
        ...

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` over the model and every held row, within ``seconds``."""
        ...

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Keep ``stage`` at ``reached`` or better (``bound`` proven) in every later stage.

        Backends add the rows of :func:`matcher.solver.stages.hold_rows`,
        the one rule for how a stage is held.
        """
        ...

    def interrupt(self) -> None:
        """Stop the stage in progress, and any later one, as soon as possible."""
        ...
