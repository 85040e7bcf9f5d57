"""``matcher whatif`` and ``matcher noshow`` end to end on the sample, in Chinese and English."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.cli import app
from matcher.i18n import use_language
from matcher.io import load_dataset, read_roster
from matcher.whatif.files import COMPARISON_FILES
from matcher.whatif.noshow import robustness, slot_label, slot_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
runner = CliRunner()

SCENARIOS = """
[[scenarios]]
name = "中秋节加一场义务理发"
[[scenarios.add_needs]]
id = "N061"
like = "N003"
date = "2026-09-25"
skills = "理发"
[[scenarios]]
name = "错字"
remove = { department = "铁道工程学院x" }
"""


def _invoke(*args: str, lang: str = "zh") -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", lang, *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def scenarios_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "scenarios.toml"
    path.write_text(SCENARIOS, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_whatif_writes_the_comparison(scenarios_file: Path, tmp_path: Path, lang: str) -> None:
    code, output = _invoke(
        "whatif",
        str(SAMPLE),
        str(scenarios_file),
        "--out",
        str(tmp_path),
        "--time-limit",
        "3",  # what is asserted does not need proven rosters
        "--workers",
        "1",
        *(["--fresh"] if lang == "en" else []),
        lang=lang,
    )
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(COMPARISON_FILES)
    data = json.loads((tmp_path / "comparison.json").read_text("utf-8"))
    assert data["stable"] is (lang == "zh")  # --fresh in English
    haircut, typo = data["scenarios"]
    assert haircut["state"] == "ok" and typo["state"] == "invalid"
    assert haircut["figures"]["needs"] == data["base"]["figures"]["needs"] + 1
    sheet = load_workbook(tmp_path / "comparison.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    if lang == "zh":
        assert "情景推演" in output and "未运行" in output and "铁道工程学院x" in output
        assert header[0] == "情景" and data["base"]["name"] == "基准"
    else:
        assert "What if" in output and "not run" in output
        assert header[0] == "Scenario" and data["base"]["name"] == "base"


def test_whatif_refuses_a_bad_file_with_its_key_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scenarios]]\nname = "a"\nremove = { share = 2 }\n', encoding="utf-8")
    code, output = _invoke("whatif", str(SAMPLE), str(bad), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "bad.toml：scenarios[0].remove.share" in output and "输入有误" in output
    assert not (tmp_path / "out" / "comparison.json").exists()


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("solved")
    code, output = _invoke("solve", str(SAMPLE), "--out", str(out), "--time-limit", "20")
    assert code == 0, output
    return out / "roster.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_noshow_gives_the_risk_per_need_and_standbys(
    roster: Path, tmp_path: Path, lang: str
) -> None:
    code, output = _invoke(
        "noshow", str(SAMPLE), str(roster), "--out", str(tmp_path), "--samples", "200", lang=lang
    )
    assert code == 0, output
    assert {p.name for p in tmp_path.iterdir()} == {
        "noshow.csv",
        "standby.csv",
        "noshow.xlsx",
        "noshow.json",
    }
    data = json.loads((tmp_path / "noshow.json").read_text("utf-8"))
    assert data["rate_source"] == "history" and data["samples"] == 200
    needs = {n["need_id"]: n for n in data["needs"]}
    assert needs["N033"]["below_min"] == 1  # nobody can staff it: below its minimum always
    for need in needs.values():
        assert 0 <= need["below_min_with_standby"] <= need["below_min"] <= 1
    problem = load_dataset(SAMPLE)
    assignments = read_roster(roster)
    with use_language(lang):
        busy = {
            (a.volunteer_id, slot_label(slot))
            for a in assignments
            if (slot := slot_of(problem.need(a.need_id)))
        }
    standbys = _rows(tmp_path / "standby.csv")
    assert standbys
    for standby in standbys:
        # a standby has nothing in the roster in the slot they stand by for
        assert (standby["volunteer_id"], standby["slot"]) not in busy
    assert data["expected_coverage_with_standby"] >= data["expected_coverage"]
    if lang == "zh":
        assert "候补名单" in output
        assert load_workbook(tmp_path / "noshow.xlsx").sheetnames == ["风险需求", "候补名单"]
    else:
        assert "Standbys" in output


def test_noshow_refuses_a_roster_of_another_dataset(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "date,start,end,need_id,need,volunteer_id,volunteer,department,role\n"
        "2026-09-19,08:30,11:30,N999,x,V0001,x,x,member\n",
        encoding="utf-8",
    )
    code, output = _invoke("noshow", str(SAMPLE), str(roster), "--out", str(tmp_path / "o"))
    assert code == 2 and "N999" in output, output


def test_standbys_reach_the_target_where_they_can(roster: Path) -> None:
    problem = load_dataset(SAMPLE)
    assignments = read_roster(roster)
    report = robustness(problem, assignments, samples=300, target=0.9, seed=3)
    timed = {n.id for n in problem.needs if n.is_timed}
    helped = 0
    for need in report.needs:
        at_risk = need.below_min > 0.1 and need.assigned >= need.min_volunteers
        if at_risk and need.need_id in timed and need.need_id not in report.unreachable:
            assert need.below_min_with_standby <= 0.1 + 1e-9, need
            helped += 1
    assert helped and report.standbys
    # nobody misses: nothing is ever below its minimum once staffed
    sure = robustness(problem, assignments, samples=50, rates={}, default_rate=0.0)
    for need in sure.needs:
        assert need.below_min == (0 if need.assigned >= need.min_volunteers else 1)
    assert not sure.standbys
    # a volunteer who never comes: each need they alone staff is always below its minimum
    staff = {
        n.id: [a.volunteer_id for a in assignments if a.need_id == n.id] for n in problem.needs
    }
    alone = [n for n in problem.needs if n.min_volunteers == 1 and len(staff[n.id]) == 1]
    volunteer = staff[alone[0].id][0]
    flaky = robustness(problem, assignments, samples=50, rates={volunteer: 1.0}, default_rate=0.0)
    assert {n.need_id: n.below_min for n in flaky.needs}[alone[0].id] == 1
