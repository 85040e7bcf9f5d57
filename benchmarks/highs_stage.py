"""One stage as one HiGHS solve, with the benchmark's clock of the first time to a gap.

The solve is the library's (:func:`matcher.solver.highs.solve_stage`, which
the portfolio uses too); this adds the time at which HiGHS's incumbent first
came within the target gap of its dual bound, for the benchmark's tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.timing import TARGET_GAP, GapClock
from matcher.params import SolverParams
from matcher.solver import highs
from matcher.solver.backend import Improved
from matcher.solver.milp import ExtraRow, Milp, StageObjective


@dataclasses.dataclass
class StageRun(highs.HighsStage):
    """What HiGHS did in one stage (see the base class), and when it came within the target gap.

    ``highs_status`` is ``not run`` for a stage the driver never gave to HiGHS.

    Attributes
    ----------
    time_to_gap
        Seconds from the stage start to the first moment the gap was at most
        the target (None if never).
    """

    time_to_gap: float | None = None


def timed(report: highs.HighsStage, clock: GapClock, target_gap: float) -> StageRun:
    """A stage report with the first time its gap was within ``target_gap`` (from ``clock``)."""
    reached = clock.reached
    if reached is None and report.gap is not None and report.gap <= target_gap:
        reached = report.runtime  # closed only at the end (e.g. proven at the last node)
    return StageRun(**dataclasses.asdict(report), time_to_gap=reached)


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
    """Maximise one stage with HiGHS (:func:`matcher.solver.highs.solve_stage`), timed.

    Returns
    -------
    tuple
        The stage report and the solution (rounded to integers), or None without one.
    """
    clock = GapClock(target_gap)
    report, values = highs.solve_stage(
        milp, stage, rows, start, seconds, params, improved, interrupted, clock
    )
    return timed(report, clock, target_gap), values
