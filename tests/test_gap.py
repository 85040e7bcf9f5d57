"""Known optima of OR-Library GAP instances, solved through the normal dataset path."""

from __future__ import annotations

import pytest

from benchmarks.gap import PROVEN, all_instances, solve_gap
from matcher.result import Status

FAST = [f"gap{k}" for k in range(1, 13)] + ["gapa"]
CASES = all_instances(FAST)


def test_instances_are_all_there() -> None:
    assert len(CASES) == 12 * 5 + 6
    assert set(FAST) <= PROVEN


@pytest.mark.parametrize("instance", CASES, ids=[c.name for c in CASES])
def test_reaches_the_known_optimum(instance) -> None:
    value, result = solve_gap(instance, time_limit=60)
    assert value == instance.known
    assert result.status == Status.OPTIMAL
    # The roster's own objective agrees with the value recomputed from the matrices.
    sign = 1 if instance.maximize else -1
    assert result.objective_terms["affinity"] == sign * instance.known
