"""The same data in another row order, and the same seed, give the same roster.

Ties among rosters of equal value are broken by id (see
:func:`matcher.domain.canonical`), not by the order of the rows in the files.
"""

from __future__ import annotations

import csv
import dataclasses
import random
import shutil
from pathlib import Path

import pytest

from matcher.decompose import find_parts
from matcher.domain import Problem, canonical
from matcher.eligibility import find_candidates
from matcher.generate import generate_problem
from matcher.io import load_dataset, write_dataset
from matcher.params import SolverParams
from matcher.result import Result, Status
from matcher.solver import solve
from matcher.solver.reference import Reference

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
PARAMS = SolverParams(time_limit=60)  # the sample is proven optimal in about a second
SHEETS = (
    "volunteers",
    "needs",
    "households",
    "availability",
    "blackouts",
    "pairs",
    "pins",
    "history",
    "travel",
    "departments",
)
"""Every sheet of rows whose order a coordinator's files may change."""


def shuffled(problem: Problem, seed: int) -> Problem:
    """``problem`` with the rows of every sheet in another order."""
    rng = random.Random(seed)

    def reorder(rows: tuple) -> tuple:
        rows = list(rows)
        rng.shuffle(rows)
        return tuple(rows)

    return dataclasses.replace(problem, **{s: reorder(getattr(problem, s)) for s in SHEETS})


def roster(result: Result) -> set[tuple[str, str, int | None, str]]:
    """The roster as (need, volunteer, start, role): what a coordinator reads."""
    return {(a.need_id, a.volunteer_id, a.start, str(a.role)) for a in result.assignments}


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def sample_result(sample: Problem) -> Result:
    result = solve(sample, PARAMS)
    assert result.status == Status.OPTIMAL
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sample_in_another_row_order_gives_the_same_roster(
    sample: Problem, sample_result: Result, seed: int
) -> None:
    other = shuffled(sample, seed)
    assert [v.id for v in other.volunteers] != [v.id for v in sample.volunteers]
    result = solve(other, PARAMS)
    assert result.status == Status.OPTIMAL
    assert result.objective == sample_result.objective
    assert roster(result) == roster(sample_result)
    # the result's lists follow ids too, not the rows
    assert result.assignments == sample_result.assignments
    assert [u.need_id for u in result.unmet] == [u.need_id for u in sample_result.unmet]


def test_independent_parts_in_another_row_order_give_the_same_roster() -> None:
    # a city's travel limits split it into parts, solved one by one and merged
    problem = generate_problem(400, 120, seed=1, city=True)
    assert len(find_parts(find_candidates(problem).volunteers, len(problem.volunteers))) > 1
    first = solve(problem, PARAMS)
    again = solve(shuffled(problem, 4), PARAMS)
    assert first.status == again.status == Status.OPTIMAL
    assert roster(again) == roster(first)
    assert [u.need_id for u in again.unmet] == [u.need_id for u in first.unmet]


def test_reference_roster_in_another_row_order_is_kept_alike(
    sample: Problem, sample_result: Result
) -> None:
    # a repair solves one model with the changes stage; the reference is by ids
    since = sample.horizon.service_days[len(sample.horizon.service_days) // 2]
    reference = Reference(assignments=sample_result.assignments, frozen_before=since)
    kept = solve(sample, PARAMS, reference=reference)
    other = shuffled(sample, 5)
    rows = list(sample_result.assignments)
    random.Random(5).shuffle(rows)
    reordered = Reference(assignments=tuple(rows), frozen_before=since)
    again = solve(other, PARAMS, reference=reordered)
    assert kept.status == again.status == Status.OPTIMAL
    assert roster(kept) == roster(again) == roster(sample_result)


def _shuffle_csv(path: Path, seed: int) -> None:
    """Reorder the data rows of one CSV file, header first as before."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    random.Random(seed).shuffle(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def test_sample_files_with_rows_in_another_order_give_the_same_roster(
    tmp_path: Path, sample: Problem, sample_result: Result
) -> None:
    folder = tmp_path / "community_a"
    shutil.copytree(SAMPLE, folder)
    for seed, path in enumerate(sorted(folder.glob("*.csv"))):
        _shuffle_csv(path, seed)
    problem = load_dataset(folder)
    assert [v.id for v in problem.volunteers] != [v.id for v in sample.volunteers]
    assert [n.id for n in problem.needs] != [n.id for n in sample.needs]
    result = solve(problem, PARAMS)
    assert result.status == Status.OPTIMAL
    assert roster(result) == roster(sample_result)


def test_workbook_with_rows_in_another_order_gives_the_same_roster(
    tmp_path: Path, sample: Problem, sample_result: Result
) -> None:
    book = tmp_path / "community_a.xlsx"
    write_dataset(shuffled(sample, 6), book)
    problem = load_dataset(book)
    assert [v.id for v in problem.volunteers] != [v.id for v in sample.volunteers]
    result = solve(problem, PARAMS)
    assert result.status == Status.OPTIMAL
    assert roster(result) == roster(sample_result)


def test_canonical_orders_rows_by_id_and_keeps_pins_in_file_order(sample: Problem) -> None:
    other = shuffled(sample, 7)
    form = canonical(other)
    assert [v.id for v in form.volunteers] == sorted(v.id for v in sample.volunteers)
    assert [n.id for n in form.needs] == sorted(n.id for n in sample.needs)
    assert [h.id for h in form.households] == sorted(h.id for h in sample.households)
    # every other sheet holds the same rows in one order whatever the input's
    for sheet in SHEETS:
        if sheet != "pins":
            assert getattr(form, sheet) == getattr(canonical(sample), sheet)
            assert sorted(map(repr, getattr(form, sheet))) == sorted(
                map(repr, getattr(sample, sheet))
            )
    # the pin checks name pins by their row, so pins stay as given
    assert form.pins == other.pins
    # positions are the canonical ones, not the input's
    for i, v in enumerate(form.volunteers):
        assert form.volunteer_index[v.id] == i
    for n, need in enumerate(form.needs):
        assert form.need_index[need.id] == n
