"""What reaches the coordinator after a solve: whom to call, and what the reader noticed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.export import BOOK_FILE, unmet_needs
from matcher.io.roster_book import GAPS_SHEET

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
runner = CliRunner()


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The sample with a column the format does not know, solved on the command line."""
    data = tmp_path_factory.mktemp("data") / "community_a"
    shutil.copytree(SAMPLE, data)
    households = data / "households.csv"
    lines = households.read_text(encoding="utf-8-sig").splitlines()
    lines = [f"{lines[0]},户主姓名"] + [f"{line},某某" for line in lines[1:]]
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["solve", str(data), "--out", str(out), "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_summary_names_whom_to_call_and_reads_back(solved: tuple[Path, str]) -> None:
    out, _ = solved
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["conflict"] is None
    unstaffed = {u["need_id"]: u for u in summary["unmet_needs"]}
    # N024 is in the evening when nobody is free: its nearest volunteers are named
    named = unstaffed["N024"]["candidates"]
    assert 1 <= len(named) <= 5
    assert all(c["name"] and c["volunteer_id"] and c["message"] for c in named)
    # households' wishes not met on staffed needs, each with why
    assert summary["unmet_wishes"] and all(w["reasons"] for w in summary["unmet_wishes"])
    assert {w["kind"] for w in summary["unmet_wishes"]} <= {"gender", "language"}
    back = {u.need_id: u for u in unmet_needs(summary)}
    assert [c.volunteer_id for c in back["N024"].candidates] == [c["volunteer_id"] for c in named]


def test_gaps_sheet_lists_whom_to_ask(solved: tuple[Path, str]) -> None:
    out, _ = solved
    sheet = openpyxl.load_workbook(out / BOOK_FILE)[GAPS_SHEET]
    header = [cell.value for cell in sheet[1]]
    column = header.index("可联系")
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    n024 = next(row for row in rows if row[header.index("需求编号")] == "N024")
    assert n024[column] and "：" in n024[column]


def test_cli_prints_the_readers_warnings_and_whom_to_ask(solved: tuple[Path, str]) -> None:
    _, output = solved
    assert "户主姓名" in output and "warning" in output
    assert "Whom to ask" in output  # 可联系 in Chinese (tests/test_i18n_cli.py)
