"""Timing of the benchmark: when a run first came within the target gap of its bound.

For CP-SAT the time is read from ``solve``'s progress events
(:func:`cp_sat_time_to_gap`); for HiGHS a :class:`GapClock` listens to its
callbacks while a stage runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from matcher.result import relative_gap

TARGET_GAP = 0.005
"""The gap whose first time is recorded (the benchmark target: within 0.5% of the bound)."""


class GapClock:
    """Records when HiGHS's incumbent first comes within the target gap of its dual bound."""

    def __init__(self, target: float) -> None:
        self.target = target
        self.started = time.perf_counter()
        self.reached: float | None = None

    def __call__(self, event: Any) -> None:
        if self.reached is not None:
            return
        data = event.data_out
        primal, dual = data.mip_primal_bound, data.mip_dual_bound
        if (
            math.isfinite(primal)
            and math.isfinite(dual)
            and (relative_gap(primal, dual) <= self.target)
        ):
            self.reached = time.perf_counter() - self.started


def cp_sat_time_to_gap(
    events: Sequence[tuple[str, float, float, float]],
    stages: Sequence[tuple[str, float]],
    runtime: float,
    target_gap: float = TARGET_GAP,
) -> tuple[float | None, bool]:
    """When a :func:`matcher.solver.solve` run first reached the target gap in its last stage.

    ``solve`` reports progress only on improving rosters
    (``progress(stage, objective, bound, elapsed)``), not when CP-SAT's bound
    moves.  So the time is that of the first roster of the last stage whose
    gap to the bound at that moment is within the target; if there is none
    but the stage ended within it, the end of the run (``runtime``, an upper
    bound of the true moment).  Every earlier stage must have ended within
    the target, else the run never got there.

    Parameters
    ----------
    events
        ``(stage, objective, bound, elapsed seconds since solve started)`` in order.
    stages
        ``(name, final gap)`` of each stage of the result, in order.
    runtime
        The run's whole runtime.
    target_gap
        The gap.

    Returns
    -------
    tuple
        Seconds (None if never) and whether the time is exact (False: an upper bound).
    """
    if not stages or any(gap > target_gap for _, gap in stages[:-1]):
        return None, True
    last, final_gap = stages[-1]
    for stage, objective, bound, elapsed in events:
        if stage == last and relative_gap(objective, bound) <= target_gap:
            return elapsed, True
    if final_gap <= target_gap:
        return runtime, False
    return None, True
