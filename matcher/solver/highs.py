"""HiGHS as a stage backend: the roster model's MILP translation, by LP-based branch and bound.

The model is the one CP-SAT solves: :mod:`matcher.solver.milp` translates
the ``CpModelProto`` that :func:`matcher.solver.model.build_model` built,
constraint by constraint, and each stage is read off the same terms.  Held
rows are :func:`matcher.solver.stages.hold_rows`, the one rule for holding a
stage.  So a stage solved here and one solved by CP-SAT differ in the solver
only, and :class:`matcher.solver.portfolio.Portfolio` can give each stage to
the solver that was measured to do it better (docs/benchmarks.md, issue 11:
HiGHS proves coverage and wishes at 5,000 x 1,500 where CP-SAT does not).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import highspy
import numpy as np
from ortools.sat import cp_model_pb2

from matcher.params import SolverParams
from matcher.result import relative_gap
from matcher.solver.backend import Improved, StageEnd, StageOutcome
from matcher.solver.milp import (
    ExtraRow,
    Milp,
    StageObjective,
    highs_status,
    model_proto,
    new_highs,
    stage_objective,
    translate,
)
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term
from matcher.solver.solution import Solution
from matcher.solver.stages import hold_rows, stage_terms

_INF = math.inf

Watch = Callable[[Any], None]
"""Sees every HiGHS MIP callback event (the benchmark's clock of the first time to a gap)."""


@dataclasses.dataclass
class HighsStage:
    """What HiGHS did in one stage.

    Attributes
    ----------
    name
        The stage.
    status
        In the solver's words: OPTIMAL (gap closed), FEASIBLE, INFEASIBLE or UNKNOWN.
    highs_status
        HiGHS's model status in its own words.
    objective, bound
        Best value found and HiGHS's dual bound (None when it has none).
    gap
        :func:`matcher.result.relative_gap` of the two, as the solver reports it.
    mip_gap
        HiGHS's own gap (relative to the objective only).
    runtime
        Seconds of the stage: the model handed to HiGHS, its run, the solution read back.
    nodes
        Branch-and-bound nodes.
    """

    name: str
    status: str
    highs_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    mip_gap: float | None
    runtime: float
    nodes: int


def _has_solution(h: highspy.Highs) -> bool:
    info = h.getInfo()
    return int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)


def _listen(
    h: highspy.Highs,
    improved: Improved | None,
    stop: Callable[[], bool],
    watch: Watch | None,
) -> None:
    """Subscribe progress, the stop check and a watcher to HiGHS's MIP events."""

    def on_interrupt(event: Any) -> None:
        if watch is not None:
            watch(event)
        if stop():
            event.interrupt()

    def on_improving(event: Any) -> None:
        if watch is not None:
            watch(event)
        if improved is not None:
            improved(float(event.data_out.mip_primal_bound), float(event.data_out.mip_dual_bound))

    def on_lp_interrupt(event: Any) -> None:
        if stop():
            event.interrupt()

    # Incumbents move the primal side, the search the dual side: a watcher sees both.
    h.cbMipImprovingSolution.subscribe(on_improving)
    h.cbMipInterrupt.subscribe(on_interrupt)
    # The branch and bound checks only between nodes; the root LP of a district
    # took seconds, so the LP solvers check too.
    h.cbSimplexInterrupt.subscribe(on_lp_interrupt)
    h.cbIpmInterrupt.subscribe(on_lp_interrupt)


def _start_returned_for_optimum(h: highspy.Highs, stage: StageObjective) -> bool:
    """Whether HiGHS's solution is worth less than the objective it reports for it."""
    if not _has_solution(h):
        return False
    values = np.rint(np.array(h.getSolution().col_value))
    return abs(float(h.getInfo().objective_function_value) - stage.value(values)) > 0.5


def _read(
    h: highspy.Highs, milp: Milp, stage: StageObjective, start: np.ndarray | None
) -> tuple[str, float | None, float | None, np.ndarray | None]:
    """Status, objective, dual bound and solution of a finished HiGHS run.

    Without a solution of its own, a start that breaks no row is the result.
    """
    code = h.getModelStatus()
    dual = float(h.getInfo().mip_dual_bound)
    bound = dual if math.isfinite(dual) else None
    if code == highspy.HighsModelStatus.kInfeasible:
        return "INFEASIBLE", None, None, None
    if _has_solution(h):
        solution = np.rint(np.array(h.getSolution().col_value))
        objective = stage.value(solution)
        proven = code == highspy.HighsModelStatus.kOptimal and (
            bound is not None and abs(bound - objective) < 0.5
        )
        return "OPTIMAL" if proven else "FEASIBLE", objective, bound, solution
    if start is not None and milp.violations(start) == 0:
        return "FEASIBLE", stage.value(start), bound, start
    return "UNKNOWN", None, bound, None


def solve_stage(
    milp: Milp,
    stage: StageObjective,
    rows: Sequence[ExtraRow],
    start: np.ndarray | None,
    seconds: float,
    params: SolverParams,
    improved: Improved | None = None,
    interrupted: Callable[[], bool] | None = None,
    watch: Watch | None = None,
) -> tuple[HighsStage, np.ndarray | None]:
    """Maximise one stage with HiGHS.

    Parameters
    ----------
    milp
        The translated model.
    stage
        The stage objective.
    rows
        Rows of this solve: earlier stages held.
    start
        A point to start from (one value per column), or None.  When HiGHS
        finds nothing better and the start breaks no row, the start is the
        stage's result, as :func:`matcher.solver.solve` keeps its previous roster.
    seconds
        Time limit.  HiGHS checks its own limit coarsely (it overran by
        seconds in presolve at 5,000 x 1,500), so the branch and bound is
        also interrupted on this clock.
    params
        Seed and relative gap.
    improved
        Called with ``(objective, bound)`` on each better roster.
    interrupted
        Polled while HiGHS searches; True stops it.
    watch
        Sees every MIP event (for a benchmark's clock).

    Returns
    -------
    tuple
        The stage report and the solution (rounded to integers), or None without one.
    """
    started = time.perf_counter()
    deadline = started + seconds

    def stop() -> bool:
        return time.perf_counter() >= deadline or (interrupted is not None and interrupted())

    h = new_highs(seconds, params)
    h.passModel(milp.lp(stage, rows))
    if start is not None:
        h.setSolution(milp.cols, np.arange(milp.cols, dtype=np.int32), start.astype(np.float64))
    _listen(h, improved, stop, watch)
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal and _start_returned_for_optimum(
        h, stage
    ):
        # HiGHS 1.16: when presolve alone solves a MIP given a start, it reports
        # the optimum's objective but hands back the start (met on the wishes
        # stage of a 60 x 20 roster); without presolve it returns the optimum.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        if start is not None:
            h.setSolution(milp.cols, np.arange(milp.cols, dtype=np.int32), start.astype(np.float64))
        h.run()
    info = h.getInfo()
    status, objective, bound, solution = _read(h, milp, stage, start)
    gap = mip_gap = None
    if _has_solution(h) and math.isfinite(info.mip_gap):
        mip_gap = float(info.mip_gap)  # HiGHS's own, only for its own incumbent
    if objective is not None and bound is not None:
        gap = relative_gap(objective, bound)
    report = HighsStage(
        name=stage.name,
        status=status,
        highs_status=highs_status(h),
        objective=objective,
        bound=bound,
        gap=gap,
        mip_gap=mip_gap,
        runtime=time.perf_counter() - started,
        nodes=int(info.mip_node_count),
    )
    return report, solution


def translation(
    rm: RosterModel, proto: cp_model_pb2.CpModelProto | None = None
) -> tuple[Milp, list[StageObjective]]:
    """The model as a MILP, and each of its stages as a linear objective over its columns.

    ``proto`` is the model as :func:`matcher.solver.milp.model_proto` exported
    it, when already exported.

    Raises
    ------
    matcher.solver.milp.TranslationError
        When the model uses a constraint the translation does not know.
    """
    milp = translate(proto if proto is not None else model_proto(rm.model))
    return milp, [stage_objective(rm.model, term) for term in stage_terms(rm)]


def milp_point(rm: RosterModel, milp: Milp, solution: Solution) -> np.ndarray:
    """A roster's values as a complete point of the MILP (aux columns included).

    The values :class:`matcher.solver.cpsat.CpSatBackend` hands CP-SAT as a
    hint: unstaffed flexible needs at their window start, fairness variables
    at their least value.
    """
    lower = milp.col_lower[: milp.proto_vars]
    values = np.where(np.isfinite(lower), lower, 0.0)
    x = rm.variables
    values[[v.index for v in x.assign]] = solution.assign.astype(np.float64)
    for n, y in x.staffed.items():
        values[y.index] = float(solution.staffed[n])
    for n, s in x.start.items():
        values[s.index] = float(solution.start.get(n, rm.window_start[n]))
    for over, pairs in rm.extra_shifts:
        values[over.index] = float(max(0, int(solution.assign[pairs].sum()) - 1))
    if rm.reference is not None:
        value_of = solution.variable_values(rm)
        for literal in rm.reference.same_start.values():
            values[literal.index] = float(value_of[literal.index])
    return milp.complete(values)


class HighsBackend:
    """The stage driver's backend on the MILP translation of a roster model, solved by HiGHS.

    Parameters
    ----------
    rm
        The built model: translated here, once (its later holds are rows of
        this backend, not constraints of ``rm``).
    params
        Seed and relative gap.
    translated
        The model's translation and stage objectives when already made (the
        benchmark translates once for several runs).

    Raises
    ------
    matcher.solver.milp.TranslationError
        When the model uses a constraint the translation does not know.
    """

    def __init__(
        self,
        rm: RosterModel,
        params: SolverParams,
        translated: tuple[Milp, Sequence[StageObjective]] | None = None,
    ) -> None:
        started = time.perf_counter()
        self.rm = rm
        self.params = params
        if translated is None:
            translated = translation(rm)
        self.milp = translated[0]
        self.objectives = {stage.name: stage for stage in translated[1]}
        self.translate_seconds = time.perf_counter() - started
        """Proto export, translation and stage objectives."""
        self.holds: list[ExtraRow] = []
        self.start: np.ndarray | None = None
        self.last: HighsStage | None = None
        """The report of the latest stage."""
        self.watch: Watch | None = None
        """Sees the MIP events of the stages that follow (the benchmark's gap clock)."""
        self._interrupted = False
        self.stage_stop: threading.Event | None = None
        """Set (by a portfolio racing CP-SAT) to end the stage in progress, and no later one."""
        self._assign_cols = np.array([v.index for v in rm.variables.assign], dtype=np.int64)

    def start_from(self, solution: Solution) -> None:
        """Start the next stage from this roster (a MIP start)."""
        self.start = milp_point(self.rm, self.milp, solution)

    def solve_stage(
        self, stage: Term, seconds: float, improved: Improved | None = None
    ) -> StageOutcome:
        """Maximise ``stage`` with HiGHS over the MILP and the held rows."""
        if self._interrupted:
            return StageOutcome(StageEnd.NO_ROSTER, None, None, 0.0)
        report, values = solve_stage(
            self.milp,
            self.objectives[stage.name],
            self.holds,
            self.start,
            seconds,
            self.params,
            improved,
            self._stopped,
            self.watch,
        )
        self.last = report
        if report.status == "INFEASIBLE":
            return StageOutcome(StageEnd.INFEASIBLE, None, None, report.runtime)
        if values is None or report.objective is None:
            return StageOutcome(StageEnd.NO_ROSTER, None, report.bound, report.runtime)
        end = StageEnd.OPTIMAL if report.status == "OPTIMAL" else StageEnd.FEASIBLE
        return StageOutcome(
            end, report.objective, report.bound, report.runtime, self._solution(values)
        )

    def _solution(self, values: np.ndarray) -> Solution:
        rm = self.rm
        x = rm.variables
        terms = {}
        for term in [*rm.coverage, *rm.changes, *rm.wishes, *rm.soft]:
            # A negated literal's index is -1 - its variable's (the changes stage has them).
            refs = np.array([v.index for v in term.variables], dtype=np.int64)  # type: ignore[union-attr]
            plain, negated = values[np.maximum(refs, 0)], 1 - values[-1 - np.minimum(refs, -1)]
            value = np.where(refs >= 0, plain, negated)
            terms[term.name] = float(np.dot(term.coefficients, value))
        return Solution(
            assign=values[self._assign_cols] > 0.5,
            staffed={n: bool(values[y.index] > 0.5) for n, y in x.staffed.items()},
            start={n: int(values[s.index]) for n, s in x.start.items()},
            terms=terms,
        )

    def hold(self, stage: Term, reached: int, bound: int) -> None:
        """Add the rows of :func:`matcher.solver.stages.hold_rows` to every later solve."""
        for row in hold_rows(stage, reached, bound):
            self.holds.append(
                ExtraRow(
                    np.array([v.index for v in row.variables], dtype=np.int64),  # type: ignore[attr-defined]
                    np.array(row.coefficients, dtype=np.float64),
                    -_INF if row.lower is None else float(row.lower),
                    _INF if row.upper is None else float(row.upper),
                )
            )

    def _stopped(self) -> bool:
        stage_stop = self.stage_stop
        return self._interrupted or (stage_stop is not None and stage_stop.is_set())

    def interrupt(self) -> None:
        """Stop HiGHS at its next interrupt check, and refuse later stages."""
        self._interrupted = True
