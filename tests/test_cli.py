"""The matcher command end to end on the sample community and on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
runner = CliRunner()


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    return out


def test_solve_sample_is_optimal_and_writes_three_files(solved: Path) -> None:
    summary = json.loads((solved / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[:5] == ["status", "objective", "bound", "gap", "runtime"]
    assert summary["status"] == "OPTIMAL"
    assert summary["gap"] == 0
    # Generous bound: the target is 2 s; CI machines are noisy.
    assert summary["runtime"] < 10
    roster = pd.read_csv(solved / "roster.csv", dtype=str, keep_default_na=False)
    assert len(roster) == summary["assignments"] > 0
    workbook = pd.read_excel(solved / "roster.xlsx", dtype=str)
    assert list(workbook.columns)[:4] == ["需求编号", "需求名称", "志愿者编号", "姓名"]
    # Every unstaffed need comes with at least one reason.
    assert all(u["reasons"] for u in summary["unmet_needs"])
    assert {"coverage_by_category", "coverage_by_priority", "load"} <= set(summary)


@pytest.mark.parametrize("name", ["roster.csv", "roster.xlsx"])
def test_check_passes_on_solver_roster(solved: Path, name: str) -> None:
    result = runner.invoke(app, ["check", str(SAMPLE), str(solved / name)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_check_lists_violations_and_exits_1(solved: Path, tmp_path: Path) -> None:
    roster = pd.read_csv(solved / "roster.csv", dtype=str, keep_default_na=False)
    # Put the first volunteer on a second need at the same time as the first one.
    first = roster[roster["date"] != ""].iloc[0]
    clash = roster[(roster["date"] == first["date"]) & (roster["need_id"] != first["need_id"])]
    clash = clash[clash["start"] == first["start"]].iloc[0].copy()
    clash["volunteer_id"] = first["volunteer_id"]
    broken = pd.concat([roster, clash.to_frame().T])
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    result = runner.invoke(app, ["check", str(SAMPLE), str(path)])
    assert result.exit_code == 1
    assert "overlap" in result.output


def test_bad_dataset_exits_2_naming_file_row_column(tmp_path: Path) -> None:
    data = tmp_path / "bad"
    shutil.copytree(SAMPLE, data)
    needs = pd.read_csv(data / "needs.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    needs.loc[2, "min_volunteers"] = "5"
    needs.loc[2, "max_volunteers"] = "2"
    needs.to_csv(data / "needs.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(data), "--out", str(out)])
    assert result.exit_code == 2
    assert "needs" in result.output and "row 4" in result.output
    assert not out.exists()  # nothing half-written


def test_missing_dataset_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(tmp_path / "nowhere")])
    assert result.exit_code == 2


def test_bad_params_file_exits_2(tmp_path: Path) -> None:
    params = tmp_path / "params.toml"
    params.write_text("[weights]\nfairnes = 3\n", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(SAMPLE), "--params", str(params)])
    assert result.exit_code == 2
    assert "fairnes" in result.output


def test_weight_flag_changes_the_soft_objective(tmp_path: Path) -> None:
    args = ["solve", str(SAMPLE), "--time-limit", "30", "--out"]
    plain = runner.invoke(app, [*args, str(tmp_path / "a")])
    heavier = runner.invoke(app, [*args, str(tmp_path / "b"), "--weight", "fairness=0"])
    assert plain.exit_code == heavier.exit_code == 0
    a = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "summary.json").read_text(encoding="utf-8"))
    assert "fairness" in a["objective_terms"] and "fairness" not in b["objective_terms"]
    assert b["params"]["weights"]["fairness"] == 0


def test_generate_writes_a_loadable_dataset(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    result = runner.invoke(
        app, ["generate", str(out), "--volunteers", "40", "--needs", "12", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    solved = runner.invoke(app, ["solve", str(out), "--out", str(tmp_path / "o")])
    assert solved.exit_code == 0, solved.output
    check = runner.invoke(app, ["check", str(out), str(tmp_path / "o" / "roster.csv")])
    assert check.exit_code == 0, check.output


def test_generate_a_city_solves_by_parts_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "city"
    args = ["generate", str(out), "--volunteers", "300", "--needs", "90", "--seed", "1"]
    result = runner.invoke(app, [*args, "--areas", "4", "--city"])
    assert result.exit_code == 0, result.output
    from matcher.io import load_dataset

    assert all(v.max_travel is not None for v in load_dataset(out).volunteers)
    solved = runner.invoke(app, ["solve", str(out), "--out", str(tmp_path / "o")])
    assert solved.exit_code == 0, solved.output
    check = runner.invoke(app, ["check", str(out), str(tmp_path / "o" / "roster.csv")])
    assert check.exit_code == 0, check.output


def test_template_is_written(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", str(path)])
    assert result.exit_code == 0
    assert "志愿者" in pd.ExcelFile(path).sheet_names
