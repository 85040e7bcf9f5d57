"""The anytime and workers rows of the benchmark (benchmarks/budget.py) read the solver right."""

from __future__ import annotations

import argparse
import os
import random

from benchmarks import budget
from matcher.solver.objective import lexicographic_weights


def _stages(*values: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "objective": value} for name, value in values]


def test_coverage_decodes_back_into_staffed_needs_per_priority() -> None:
    rng = random.Random(7)
    for _ in range(200):
        open_counts = {p: rng.randint(0, 400) for p in range(1, 6)}
        staffed = {p: rng.randint(0, open_counts[p]) for p in range(1, 6)}
        weights = lexicographic_weights(open_counts)
        value = float(sum(weights[p] * staffed[p] for p in staffed))
        assert budget.decode_coverage(value, open_counts) == staffed


def test_a_value_not_made_with_these_weights_does_not_decode() -> None:
    open_counts = {5: 3, 4: 2, 3: 0, 2: 1, 1: 4}
    weights = lexicographic_weights(open_counts)
    # four priority-5 needs where only three can be staffed
    assert budget.decode_coverage(float(4 * weights[5]), open_counts) is None
    assert budget.decode_coverage(2.5, open_counts) is None
    assert budget.decode_coverage(-1.0, open_counts) is None


def test_the_first_stage_that_differs_decides() -> None:
    short = _stages(("coverage", 100), ("wishes", 5), ("soft", 900))
    # better coverage wins whatever the soft rules say
    assert budget.lexicographic_compare(
        _stages(("coverage", 101), ("wishes", 0), ("soft", 1)), short
    ) == (1, "coverage")
    assert budget.lexicographic_compare(
        _stages(("coverage", 100), ("wishes", 5), ("soft", 899)), short
    ) == (-1, "soft")
    assert budget.lexicographic_compare(short, short) == (0, None)


def test_a_stage_only_one_run_reached_ends_the_comparison() -> None:
    cut_short = _stages(("coverage", 100))
    full = _stages(("coverage", 100), ("wishes", 5), ("soft", 900))
    assert budget.lexicographic_compare(full, cut_short) == (0, None)
    assert budget.lexicographic_compare(cut_short, full) == (0, None)
    assert budget.lexicographic_compare(full, _stages(("other", 1))) == (None, None)


def test_annotate_names_every_shorter_limit_that_did_better() -> None:
    def row(limit: float, soft: float, instance: str = "a") -> dict[str, object]:
        stages = _stages(("coverage", 10), ("soft", soft))
        return {
            "kind": "anytime",
            "instance": instance,
            "time_limit": limit,
            "status": "FEASIBLE",
            "stages": stages,
        }

    rows = [row(10, 50), row(30, 60), row(60, 55), row(60, 1, instance="b")]
    budget.annotate(rows)
    assert [r["never_worse"] for r in rows] == [None, True, False, None]
    assert rows[2]["worse_than"] == [{"limit": 30, "stage": "soft"}]


def test_each_row_can_run_alone_and_quick_is_small() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    budget.add_arguments(parser)
    anytime = budget.plan_jobs(parser.parse_args(["--no-workers-row"]))
    assert {kind for kind, _ in anytime} == {"anytime"}
    assert sorted({arg[3] for _, arg in anytime}) == [10.0, 30.0, 60.0]
    workers = budget.plan_jobs(parser.parse_args(["--no-anytime"]))
    assert {kind for kind, _ in workers} == {"workers"}
    assert [arg[4] for _, arg in workers] == budget.worker_counts(os.cpu_count())
    quick = budget.plan_jobs(parser.parse_args(["--quick"]))
    assert max(arg[3] for kind, arg in quick if kind == "anytime") <= 4
    assert budget.plan_jobs(parser.parse_args(["--no-anytime", "--no-workers-row"])) == []


def test_the_solvers_coverage_stage_decodes_to_the_rosters_counts() -> None:
    # A small instance solved to optimality: its coverage stage's objective,
    # decoded, is exactly what the roster staffs per priority.
    record = budget.run_anytime(60, 20, 3, 10.0)
    assert record["status"] == "OPTIMAL"
    assert record["checker_violations"] == 0
    assert record["coverage_stage_by_priority"] == record["staffed_by_priority"]
    covered = [e for e in record["timeline"] if e["stage"] == "coverage"]
    assert covered and record["timeline_decoded"]
    assert covered[-1]["staffed_by_priority"] == record["staffed_by_priority"]
