"""Repair and recommendation times on the sample (issue 13: repair < 1 s, recommend < 200 ms).

The sample (``datasets/community_a``) is solved once; then, for each of the
first :data:`CANCELLATIONS` rostered volunteers (file order), a repair after
that one cancellation (:func:`matcher.repair.repair`, from the loaded problem
to the repaired result, the cancellation's validation included) and a fresh
plan for comparison; and for each need the cancellation left short, a
recommendation (:func:`matcher.recommend.recommend`).  Recorded: median and
largest times, and how many volunteers' plans the repair and the fresh plan
change.  Every repaired roster is checked by :mod:`matcher.check`.

Each time is taken twice: wall clock and this process's CPU time.  On the
shared 2-core machine the wall clock follows the other processes' load (3x
at a load of 6); one CP-SAT worker uses one core, so the CPU time is what
the wall clock is on a machine left to the run.

Usage::

    python -m benchmarks.repair                      # print the record
    python -m benchmarks.run --sizes '' --gap ''     # record it and its table alone
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
CANCELLATIONS = 12
"""Cancellations tried, one at a time: the first rostered volunteers in file order."""


class _Clock:
    """Wall and CPU seconds of each timed call."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> _Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def summary(self) -> dict[str, float]:
        return {
            "median_s": round(statistics.median(self.wall), 4),
            "max_s": round(max(self.wall), 4),
            "cpu_median_s": round(statistics.median(self.cpu), 4),
            "cpu_max_s": round(max(self.cpu), 4),
            "count": len(self.wall),
        }


def run_repair_bench(cancellations: int = CANCELLATIONS) -> dict[str, Any]:
    """Time repairs and recommendations on the sample; one record for the benchmark report."""
    from matcher.check import check_roster
    from matcher.io import load_dataset
    from matcher.params import SolverParams
    from matcher.recommend import recommend
    from matcher.repair import repair
    from matcher.solver import solve

    problem = load_dataset(SAMPLE)
    params = SolverParams(time_limit=30)
    started = time.perf_counter()
    result = solve(problem, params)
    solve_time = time.perf_counter() - started
    rostered = list(dict.fromkeys(a.volunteer_id for a in result.assignments))
    order = {v.id: i for i, v in enumerate(problem.volunteers)}
    chosen = sorted(rostered, key=order.__getitem__)[:cancellations]
    repair_times, fresh_times, recommend_times = _Clock(), _Clock(), _Clock()
    repaired_changed, fresh_changed, violations = [], [], 0
    for volunteer_id in chosen:
        with repair_times:
            repaired = repair(problem, result.assignments, [volunteer_id], params)
        violations += len(check_roster(repaired.problem, repaired.result.assignments, 10))
        assert repaired.result.reference is not None
        repaired_changed.append(repaired.result.reference.volunteers)
        with fresh_times:
            fresh = repair(problem, result.assignments, [volunteer_id], params, fresh=True)
        assert fresh.result.reference is not None
        fresh_changed.append(fresh.result.reference.volunteers)
        for need_id in sorted(
            {a.need_id for a in result.assignments if a.volunteer_id == volunteer_id}
        ):
            with recommend_times:
                recommend(problem, result.assignments, need_id, params, [volunteer_id])
    return {
        "kind": "repair",
        "instance": "community_a",
        "volunteers": len(problem.volunteers),
        "needs": len(problem.needs),
        "assignments": len(result.assignments),
        "solve_s": round(solve_time, 3),
        "repair": repair_times.summary(),
        "fresh": fresh_times.summary(),
        "recommend": recommend_times.summary(),
        "load_average": round(os.getloadavg()[0], 2),
        "volunteers_changed_repair": repaired_changed,
        "volunteers_changed_fresh": fresh_changed,
        "checker_violations": violations,
    }


def _times(t: dict[str, float]) -> str:
    return f"{t['median_s']} / {t['max_s']} ({t['cpu_median_s']} / {t['cpu_max_s']})"


def render_repair(rows: list[dict[str, Any]]) -> list[str]:
    """The markdown lines of the repair table (empty without a repair record)."""
    if not rows:
        return []
    lines = [
        "| repair instance | cancellations | repair s median / max (CPU) "
        "| fresh plan s median / max (CPU) | recommend s median / max (CPU) (needs) "
        "| volunteers changed repair / fresh (mean) | checker | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rep, fresh, rec = r["repair"], r["fresh"], r["recommend"]
        ours = statistics.mean(r["volunteers_changed_repair"])
        theirs = statistics.mean(r["volunteers_changed_fresh"])
        lines.append(
            f"| {r['instance']} {r['volunteers']}x{r['needs']} | {rep['count']} "
            f"| {_times(rep)} | {_times(fresh)} | {_times(rec)} ({rec['count']}) "
            f"| {ours:.1f} / {theirs:.1f} | {r['checker_violations']} violations "
            f"| {r.get('load_average', '-')} |"
        )
    return lines


if __name__ == "__main__":
    print(json.dumps(run_repair_bench(), indent=2, ensure_ascii=False))
