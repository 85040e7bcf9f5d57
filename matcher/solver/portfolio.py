"""Each stage to the solver measured to do it better: CP-SAT, and HiGHS on large models.

On 2 cores (docs/benchmarks.md, issue 11) the two solvers of the same model
(:mod:`matcher.solver.cpsat`, :mod:`matcher.solver.highs`) split the work
this way at district size (5,000 volunteers x 1,500 needs): HiGHS's
LP-based branch and bound proves the coverage and wishes stages in seconds
where CP-SAT reaches the coverage bound within 1e-9 but never proves it and
its neighbourhood search reaches about 90% of the wishes bound; the soft
stage goes to CP-SAT and its neighbourhood search, which was better on one
seed of two and does not depend on HiGHS's time checks.  Below
``params.highs_above`` eligible pairs (community size, GAP instances,
the parts of a city) CP-SAT alone proves every stage sooner.

Both backends hear every start and every held stage, so whichever solves
the next stage solves it under the same rows from the same roster.
"""

from __future__ import annotations

from ortools.sat import cp_model_pb2

from matcher.domain import Problem
from matcher.eligibility import Eligibility
from matcher.params import SolverParams
from matcher.solver.backend import Backend, Improved, StageOutcome
from matcher.solver.cpsat import CpSatBackend
from matcher.solver.highs import HighsBackend, translation
from matcher.solver.milp import TranslationError, model_proto
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term
from matcher.solver.solution import Solution

HIGHS_STAGES = ("coverage", "wishes")
"""Stages (by name prefix) that HiGHS solves on a large model; see the module docstring."""


MOST_OVERLAPS = 4.0
"""Pairs of intervals that may overlap (in the model's no-overlap constraints) per eligible
pair above which HiGHS stays out.  Measured on generated communities, seeds 1 and 2:
7.4 and 8.0 at 1,000 x 300 (HiGHS worse than CP-SAT on coverage), 1.8-2.1 at
3,000 x 900 and 5,000 x 1,500 (HiGHS proves coverage and wishes, CP-SAT does not)."""


def overlap_pairs(proto: cp_model_pb2.CpModelProto) -> int:
    """Pairs of intervals that share a no-overlap constraint (each a disjunction in the MILP)."""
    total = 0
    for constraint in proto.constraints:
        if constraint.WhichOneof("constraint") == "no_overlap":
            k = len(constraint.no_overlap.intervals)
            total += k * (k - 1) // 2
    return total


def uses_highs(stage: Term) -> bool:
    """Whether a large model's ``stage`` goes to HiGHS."""
    return stage.name.startswith(HIGHS_STAGES)


class Portfolio:
    """CP-SAT for every stage but those HiGHS was measured to solve better.

    Parameters
    ----------
    cpsat
        The CP-SAT backend of the model.
    highs
        The HiGHS backend of the same model.
    """

    def __init__(self, cpsat: CpSatBackend, highs: Backend) -> None:
        self.cpsat = cpsat
        self.highs = highs
        self._start: Solution | None = None
        self._highs_start: Solution | None = None

    def start_from(self, solution: Solution) -> None:
        """Both solvers start the next stage from ``solution``.

        HiGHS's start is converted only when a stage of its own comes
        (completing the MILP point is a Python loop over the model's
        ordering columns).
        """
        self.cpsat.start_from(solution)
        self._start = solution

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` with the solver it belongs to."""
        if not uses_highs(stage):
            return self.cpsat.solve_stage(stage, seconds, improved)
        if self._start is not None and self._start is not self._highs_start:
            self.highs.start_from(self._start)
            self._highs_start = self._start
        return self.highs.solve_stage(stage, seconds, improved)

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Hold ``stage`` in both solvers."""
        self.cpsat.hold(stage, reached, bound)
        self.highs.hold(stage, reached, bound)

    def interrupt(self) -> None:
        """Stop both solvers."""
        self.cpsat.interrupt()
        self.highs.interrupt()


def stage_backend(
    rm: RosterModel, params: SolverParams, elig: Eligibility, problem: Problem
) -> Backend:
    """The backend of one model: CP-SAT, with HiGHS for some stages of a large one.

    HiGHS joins when the model has at least ``params.highs_above`` eligible
    pairs (0: never), at most :data:`MOST_OVERLAPS` pairs of intervals that
    may overlap per eligible pair, and no reference roster (a changes stage
    counts negated literals, which the measurements did not cover); a model
    the MILP translation cannot read stays with CP-SAT alone.
    """
    cpsat = CpSatBackend(rm, params, elig, problem)
    if not 0 < params.highs_above <= elig.size or rm.reference is not None:
        return cpsat
    # Exported once (0.05 s at 5,000 x 1,500) for the count and the translation;
    # read-only, unlike rm.model.proto, whose sub-messages are made on access.
    proto = model_proto(rm.model)
    if overlap_pairs(proto) > MOST_OVERLAPS * elig.size:
        return cpsat
    try:
        highs = HighsBackend(rm, params, translation(rm, proto))
    except TranslationError:
        return cpsat
    return Portfolio(cpsat, highs)
