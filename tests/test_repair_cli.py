"""``matcher repair`` and ``matcher recommend`` end to end on the sample, in Chinese and English."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.check import check_roster
from matcher.cli import app
from matcher.io import load_dataset, read_roster
from matcher.io.roster import roster_csv, roster_rows
from matcher.params import SolverParams
from matcher.repair import DIFF_COLUMNS
from matcher.solver import solve

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
runner = CliRunner()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The sample's roster.csv, a volunteer whose cancellation leaves a gap, and that need."""
    problem = load_dataset(SAMPLE)
    result = solve(problem, SolverParams(time_limit=20))
    folder = tmp_path_factory.mktemp("published")
    (folder / "roster.csv").write_bytes(roster_csv(roster_rows(problem, result.assignments)))
    pinned = {p.volunteer_id for p in problem.pins}
    for need in problem.needs:
        team = result.assignments_of(need.id)
        alone = len(team) == 1 and need.min_volunteers == 1 and not need.must_cover
        if alone and team[0].volunteer_id not in pinned:
            return folder / "roster.csv", team[0].volunteer_id, need.id
    raise AssertionError("no one-volunteer need in the sample")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_repair_writes_the_roster_and_the_diff(
    published: tuple[Path, str, str], tmp_path: Path, lang: str
) -> None:
    roster, gone, need_id = published
    out = tmp_path / "repaired"
    result = runner.invoke(
        app,
        ["--lang", lang, "repair", str(SAMPLE), str(roster), "--cancel", gone, "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    repaired = read_roster(out / "roster.csv")
    before = read_roster(roster)
    assert _rows(out / "roster.csv")[0].keys() == _rows(roster)[0].keys()  # matcher solve's columns
    problem = load_dataset(SAMPLE)
    assert gone not in {a.volunteer_id for a in repaired}
    assert need_id in {a.need_id for a in repaired}  # the gap is covered
    diff = _rows(out / "diff.csv")
    assert list(diff[0]) == list(DIFF_COLUMNS)
    assert {(r["change"], r["volunteer_id"], r["need_id"]) for r in diff} >= {
        ("removed", gone, need_id)
    }
    moved = {(a.need_id, a.volunteer_id) for a in before} ^ {
        (a.need_id, a.volunteer_id) for a in repaired
    }
    assert {v for _n, v in moved} == {r["volunteer_id"] for r in diff if r["change"] != "role"}
    # the checker agrees, on the problem with the cancelled volunteer away
    assert [v for v in check_roster(problem, repaired, 10) if v.volunteer_id == gone] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reference"]["label"] == "roster.csv"
    assert summary["reference"]["volunteers"] == len({v for _n, v in moved})
    if lang == "zh":
        assert "无法参加" in result.output and "以 roster.csv 为参照尽量少改" in result.output
        assert any("无法参加" in r["reason"] for r in diff)
    else:
        assert "cancelled" in result.output and "kept close to roster.csv" in result.output


def test_repair_without_cancellations_keeps_the_roster(
    published: tuple[Path, str, str], tmp_path: Path
) -> None:
    roster, _gone, _need = published
    out = tmp_path / "again"
    result = runner.invoke(
        app, ["--lang", "en", "repair", str(SAMPLE), str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Nothing changed." in result.output
    assert len(_rows(out / "diff.csv")) == 0
    fresh = runner.invoke(
        app, ["--lang", "en", "repair", str(SAMPLE), str(roster), "--fresh", "--out", str(out)]
    )
    assert fresh.exit_code == 0, fresh.output
    assert "a fresh plan, not kept close to roster.csv" in fresh.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_recommend_ranks_who_could_take_the_need(
    published: tuple[Path, str, str], lang: str
) -> None:
    roster, gone, need_id = published
    result = runner.invoke(
        app, ["--lang", lang, "recommend", str(SAMPLE), str(roster), need_id, "--cancel", gone]
    )
    assert result.exit_code == 0, result.output
    heading = "可接手的志愿者" if lang == "zh" else "Who could take it, best first"
    assert heading in result.output and "coverage +" in result.output
    ranked = runner.invoke(
        app, ["recommend", str(SAMPLE), str(roster), need_id, "--cancel", gone, "--json"]
    )
    top = json.loads(ranked.output)["candidates"][0]["volunteer_id"]
    first = re.search(r"V\d{4}", result.output.split(heading, 1)[1])
    assert first is not None and first.group() == top  # the table's first row


def test_recommend_as_json(published: tuple[Path, str, str]) -> None:
    roster, gone, need_id = published
    result = runner.invoke(
        app,
        [
            "recommend",
            str(SAMPLE),
            str(roster),
            need_id,
            "--cancel",
            gone,
            "--json",
            "--limit",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["need_id"] == need_id and answer["team"] == []
    assert 1 <= len(answer["candidates"]) <= 3
    top = answer["candidates"][0]
    assert top["staffs"] and top["deltas"]["coverage"] > 0
    assert top["volunteer_id"] != gone and top["joins"][0]["need_id"] == need_id


def test_bad_input_is_named_in_chinese(published: tuple[Path, str, str], tmp_path: Path) -> None:
    roster, _gone, need_id = published
    unknown = runner.invoke(
        app,
        [
            "--lang",
            "zh",
            "repair",
            str(SAMPLE),
            str(roster),
            "--cancel",
            "V9999",
            "--out",
            str(tmp_path),
        ],
    )
    assert unknown.exit_code == 2
    assert "--cancel" in unknown.output and "未知的 'V9999'" in unknown.output
    assert not (tmp_path / "roster.csv").exists()
    need = runner.invoke(app, ["--lang", "zh", "recommend", str(SAMPLE), str(roster), "N999"])
    assert need.exit_code == 2 and "N999" in need.output and "需求编号" in need.output
    broken = tmp_path / "broken.csv"
    broken.write_text("need_id,volunteer_id\nN001\n", encoding="utf-8")
    bad = runner.invoke(app, ["recommend", str(SAMPLE), str(broken), need_id])
    assert bad.exit_code == 2 and "broken.csv" in bad.output
