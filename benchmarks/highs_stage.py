"""One lexicographic stage as one HiGHS solve: the MILP with held rows, a start, a clock.

:func:`solve_stage` is all of HiGHS the benchmark's backend
(:class:`benchmarks.highs_backend.HighsBackend`) uses per stage; it also
runs on its own, on any translated model (``tests/test_highs.py``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import highspy
import numpy as np

from benchmarks.milp import ExtraRow, Milp, StageObjective, highs_status, new_highs
from benchmarks.timing import TARGET_GAP, GapClock
from matcher.params import SolverParams
from matcher.result import relative_gap
from matcher.solver.backend import Improved


@dataclasses.dataclass
class StageRun:
    """What HiGHS did in one stage.

    Attributes
    ----------
    status
        In the solver's words: OPTIMAL (gap closed), FEASIBLE, INFEASIBLE or UNKNOWN.
    highs_status
        HiGHS's model status (``not run`` for a stage the driver never gave to HiGHS).
    objective, bound
        Best value found and HiGHS's dual bound (None when it has none).
    gap
        :func:`matcher.result.relative_gap` of the two, as the solver reports it.
    mip_gap
        HiGHS's own gap (relative to the objective only).
    runtime
        Seconds of the stage: the model handed to HiGHS, its run, the solution read back.
    time_to_gap
        Seconds from the stage start to the first moment the gap was at most
        the target (None if never).
    """

    name: str
    status: str
    highs_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    mip_gap: float | None
    runtime: float
    time_to_gap: float | None
    nodes: int


def _has_solution(h: highspy.Highs) -> bool:
    info = h.getInfo()
    return int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)


def _listen(
    h: highspy.Highs,
    clock: GapClock,
    improved: Improved | None,
    interrupted: Callable[[], bool] | None,
) -> None:
    """Subscribe the gap clock, the progress callback and the interrupt check to HiGHS."""

    def on_interrupt(event: Any) -> None:
        clock(event)
        if interrupted is not None and interrupted():
            event.interrupt()

    def on_improving(event: Any) -> None:
        clock(event)
        if improved is not None:
            improved(float(event.data_out.mip_primal_bound), float(event.data_out.mip_dual_bound))

    # Incumbents move the primal side, the search the dual side: watch both.
    h.cbMipImprovingSolution.subscribe(on_improving)
    h.cbMipInterrupt.subscribe(on_interrupt)


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
    target_gap: float = TARGET_GAP,
    improved: Improved | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> tuple[StageRun, np.ndarray | None]:
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
        HiGHS time limit.
    params
        Seed and relative gap.
    target_gap
        Gap whose first time is recorded.
    improved
        Called with ``(objective, bound)`` on each better roster.
    interrupted
        Polled while HiGHS searches; True stops it.

    Returns
    -------
    tuple
        The stage report and the solution (rounded to integers), or None without one.
    """
    clock = GapClock(target_gap)
    h = new_highs(seconds, params)
    h.passModel(milp.lp(stage, rows))
    if start is not None:
        h.setSolution(milp.cols, np.arange(milp.cols, dtype=np.int32), start.astype(np.float64))
    _listen(h, clock, improved, interrupted)
    h.run()
    if _start_returned_for_optimum(h, stage):
        # HiGHS 1.16: when presolve alone solves a MIP given a start, it reports
        # the optimum's objective but hands back the start (met on the wishes
        # stage of a 60 x 20 roster); without presolve it returns the optimum.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("time_limit", max(0.01, seconds - (time.perf_counter() - clock.started)))
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
    runtime = time.perf_counter() - clock.started
    reached = clock.reached
    if reached is None and gap is not None and gap <= target_gap:
        reached = runtime  # closed only at the end (e.g. proven at the last node)
    report = StageRun(
        name=stage.name,
        status=status,
        highs_status=highs_status(h),
        objective=objective,
        bound=bound,
        gap=gap,
        mip_gap=mip_gap,
        runtime=runtime,
        time_to_gap=reached,
        nodes=int(info.mip_node_count),
    )
    return report, solution
