"""A HiGHS stage with the benchmark's clock of the first time to a gap.

The solve is the library's (:func:`matcher.solver.highs.solve_stage`, which
the portfolio uses too); :func:`timed` adds the time at which HiGHS's
incumbent first came within the target gap of its dual bound, for the
benchmark's tables (:class:`benchmarks.highs_backend.HighsBackend`).
"""

from __future__ import annotations

import dataclasses

from benchmarks.timing import GapClock
from matcher.solver import highs


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
