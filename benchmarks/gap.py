"""OR-Library generalized assignment (GAP) instances through the normal dataset path.

A GAP is a special case of a roster: agents are volunteers with an hour
budget (the capacity, in minutes), jobs are untimed must-cover needs of
duration 0 staffed by exactly one volunteer, a pair's resource use is its
extra minutes and its profit its affinity (a cost is a negative affinity).
Every soft-rule weight but affinity is 0, so the soft stage maximises total
profit (or minimises total cost).  Instances are written as a CSV dataset and
read back with :func:`matcher.io.load_dataset`, exactly as a user's data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np

from matcher.calendar import build_horizon
from matcher.domain import (
    AvailabilityWindow,
    Department,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Problem,
    Role,
    Volunteer,
)
from matcher.io import load_dataset, write_dataset
from matcher.params import SolverParams, Weights
from matcher.result import Result
from matcher.solver import solve

INSTANCES = Path(__file__).resolve().parent / "instances" / "gap"

# Known optimal (best known for gapd) values, from the README of the instances.
KNOWN = {
    "gap1": [336, 327, 339, 341, 326],
    "gap2": [434, 436, 420, 419, 428],
    "gap3": [580, 564, 573, 570, 564],
    "gap4": [656, 644, 673, 647, 664],
    "gap5": [563, 558, 564, 568, 559],
    "gap6": [761, 759, 758, 752, 747],
    "gap7": [942, 949, 968, 945, 951],
    "gap8": [1133, 1134, 1141, 1117, 1127],
    "gap9": [709, 717, 712, 723, 706],
    "gap10": [958, 963, 960, 947, 947],
    "gap11": [1139, 1178, 1195, 1171, 1171],
    "gap12": [1451, 1449, 1433, 1447, 1446],
    "gapa": [1698, 3235, 1360, 2623, 1158, 2339],
    "gapb": [1843, 3552, 1407, 2827, 1166, 2339],
    "gapc": [1931, 3456, 1402, 2806, 1243, 2391],
    "gapd": [6353, 12742, 6347, 12430, 6185, 12241],
}
PROVEN = {name for name in KNOWN if name != "gapd"}


@dataclasses.dataclass(frozen=True)
class GapInstance:
    """One GAP: ``value[i, j]`` profit or cost, ``resource[i, j]``, ``capacity[i]``."""

    name: str
    value: np.ndarray
    resource: np.ndarray
    capacity: np.ndarray
    maximize: bool
    known: int

    @property
    def agents(self) -> int:
        """Number of agents (volunteers)."""
        return int(self.value.shape[0])

    @property
    def jobs(self) -> int:
        """Number of jobs (needs)."""
        return int(self.value.shape[1])


def read_gap_file(path: Path) -> list[GapInstance]:
    """Read every problem of one OR-Library GAP file."""
    numbers = [int(token) for token in path.read_text().split()]
    count, pos = numbers[0], 1
    family = path.stem
    instances = []
    for k in range(count):
        m, n = numbers[pos], numbers[pos + 1]
        pos += 2
        value = np.array(numbers[pos : pos + m * n]).reshape(m, n)
        pos += m * n
        resource = np.array(numbers[pos : pos + m * n]).reshape(m, n)
        pos += m * n
        capacity = np.array(numbers[pos : pos + m])
        pos += m
        instances.append(
            GapInstance(
                name=f"{family}-{k + 1}",
                value=value,
                resource=resource,
                capacity=capacity,
                maximize=family not in ("gapa", "gapb", "gapc", "gapd"),
                known=KNOWN[family][k],
            )
        )
    return instances


def gap_problem(instance: GapInstance) -> Problem:
    """The GAP as a roster problem (see the module docstring)."""
    horizon = build_horizon(dt.date(2026, 10, 17), dt.date(2026, 10, 18))
    volunteers = tuple(
        Volunteer(
            id=f"A{i + 1}",
            name=f"agent {i + 1}",
            role=Role.STAFF,
            membership=Membership.NONE,
            department="GAP",
            max_shifts=instance.jobs,
            max_minutes=int(instance.capacity[i]),
        )
        for i in range(instance.agents)
    )
    needs = tuple(
        Need(
            id=f"J{j + 1}",
            title=f"job {j + 1}",
            category=NeedCategory.OTHER,
            duration=0,
            must_cover=True,
        )
        for j in range(instance.jobs)
    )
    sign = 1 if instance.maximize else -1
    pairs = tuple(
        Pair(
            volunteer_id=f"A{i + 1}",
            need_id=f"J{j + 1}",
            affinity=sign * int(instance.value[i, j]),
            extra_minutes=int(instance.resource[i, j]),
        )
        for i in range(instance.agents)
        for j in range(instance.jobs)
    )
    availability = tuple(
        AvailabilityWindow(volunteer_id=v.id, start=480, end=1080, weekday=6) for v in volunteers
    )
    return Problem(
        horizon=horizon,
        volunteers=volunteers,
        needs=needs,
        availability=availability,
        pairs=pairs,
        departments=(Department("GAP"),),
        name=instance.name,
    )


def gap_params(time_limit: float, workers: int = 1) -> SolverParams:
    """Solver parameters that make the soft objective the GAP objective."""
    only_affinity = Weights(**{f.name: 0 for f in dataclasses.fields(Weights)})
    return SolverParams(
        time_limit=time_limit,
        workers=workers,
        weights=dataclasses.replace(only_affinity, affinity=1),
    )


def roster_value(instance: GapInstance, result: Result) -> int:
    """GAP objective of a roster, recomputed from the instance matrices."""
    total = 0
    for a in result.assignments:
        i, j = int(a.volunteer_id[1:]) - 1, int(a.need_id[1:]) - 1
        total += int(instance.value[i, j])
    return total


def solve_gap(
    instance: GapInstance, time_limit: float = 10.0, workers: int = 1
) -> tuple[int | None, Result]:
    """Write the instance as a dataset, load it back, solve; return its GAP value.

    The value is None when no roster assigns every job.
    """
    with tempfile.TemporaryDirectory(prefix="gap-") as tmp:
        folder = Path(tmp) / instance.name
        write_dataset(gap_problem(instance), folder)
        problem = load_dataset(folder)
    result = solve(problem, gap_params(time_limit, workers))
    if not result.has_roster or len(result.assignments) != instance.jobs:
        return None, result
    return roster_value(instance, result), result


def all_instances(families: list[str] | None = None) -> list[GapInstance]:
    """Instances of the given families (file stems), in file order."""
    names = families or list(KNOWN)
    return [inst for name in names for inst in read_gap_file(INSTANCES / f"{name}.txt")]
