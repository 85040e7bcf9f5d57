"""``matcher pair`` end to end on the sample, in Chinese and English, and the pairing file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from matcher.check_pairing import check_pairing
from matcher.cli import app
from matcher.errors import DataError
from matcher.io import PAIRING_SHEET, load_dataset
from matcher.io.pairing_file import PAIRING_COLUMNS, read_pairing
from matcher.pairing.export import PAIRING_FILES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
PREVIOUS = ROOT / "datasets" / "community_a-previous-pairs.csv"
runner = CliRunner()
CHINESE = {"MATCHER_LANG": None}  # CliRunner unsets a variable given as None


def _says(output: str, *words: str) -> bool:
    flat = "".join(output.split())
    return all("".join(w.split()) in flat for w in words)


def test_pair_in_english_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["pair", str(SAMPLE), "--out", str(out), "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(PAIRING_FILES)
    assert _says(result.output, "paired 16/19", "OPTIMAL", "nobody speaks")
    pairs = read_pairing(out / "pairs.csv")
    assert len(pairs) == 16 and check_pairing(load_dataset(SAMPLE), pairs) == []
    frame = pd.read_csv(out / "pairs.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(PAIRING_COLUMNS)
    book = openpyxl.load_workbook(out / "pairs.xlsx")
    sheet = book[PAIRING_SHEET.zh]
    assert [c.value for c in sheet[1]][:3] == ["住户编号", "主帮扶志愿者编号", "备岗志愿者编号"]
    assert read_pairing(out / "pairs.xlsx") == pairs  # the Chinese file reads back the same
    unpaired = pd.read_csv(out / "unpaired.csv", dtype=str, keep_default_na=False)
    assert dict(zip(unpaired.household_id, unpaired.code, strict=True)) == {
        "H017": "skill",
        "H019": "language",
        "H020": "availability",
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL" and summary["paired"] == 16
    assert [s["name"] for s in summary["stages"]] == ["paired", "backed", "fit", "spread"]
    assert summary["continuity"]["primary_share"] >= 0.9


def test_pair_in_chinese_with_the_previous_pairing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["pair", str(SAMPLE), "--out", str(out), "--previous", str(PREVIOUS)]
    result = runner.invoke(app, [*args, "--time-limit", "20"], env=CHINESE)
    assert result.exit_code == 0, result.output
    assert _says(result.output, "最优", "没有人会说", "与上次结对相比")
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
    # the sample's previous pairing names a volunteer who has left (V0999)
    left = changes[changes.previous_id == "V0999"]
    assert list(left.code) == ["volunteer_left"] and "已不在志愿者名单中" in left.reason.iloc[0]
    assert (changes.reason != "").all()
    # H001's primary is a man, and 李奶奶 now requires a woman
    h001 = changes[(changes.household_id == "H001") & (changes.role == "primary")]
    assert list(h001.code) == ["incompatible"]
    # every other pair stays as it was
    problem = load_dataset(SAMPLE)
    previous = read_pairing(PREVIOUS)
    still = {p for p in previous if not check_pairing(problem, [p])}
    assert {p.household_id for p in still} == {p.household_id for p in previous} - {"H001", "H004"}
    assert still <= set(read_pairing(out / "pairs.csv"))
    assert set(changes.household_id) == {"H001", "H004"}


def test_a_bad_previous_file_names_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.csv"
    text = "住户编号,主帮扶,备岗\nH001,V0001,V0001\nH002,V0002,\nH002,V0003,\n"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["pair", str(SAMPLE), "--out", str(tmp_path / "o"), "--previous", str(bad)]
    )
    assert result.exit_code == 2
    assert _says(result.output, "row 2", "备岗 (backup_id)", "row 4", "住户编号 (household_id)")
    assert not (tmp_path / "o").exists()  # nothing written


def test_read_pairing_refuses_a_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.csv"
    bad.write_text("household_id,backup_id\nH001,V0002\n", encoding="utf-8")
    try:
        read_pairing(bad)
    except DataError as error:
        assert "primary_id" in str(error)
    else:
        raise AssertionError("a pairing without primary_id was read")


def test_the_sample_previous_pairing_is_the_generators() -> None:
    from matcher.generate.sample import community_a_previous_pairing

    assert read_pairing(PREVIOUS) == community_a_previous_pairing()


def test_visits_are_pinned_to_the_primary_and_the_roster_keeps_them(tmp_path: Path) -> None:
    out = tmp_path / "pairs"
    assert runner.invoke(app, ["pair", str(SAMPLE), "--out", str(out)]).exit_code == 0
    with_visits = tmp_path / "with_visits"
    result = runner.invoke(
        app,
        ["visits", str(SAMPLE), "--pairing", str(out / "pairs.csv"), "--out", str(with_visits)],
        env=CHINESE,
    )
    assert result.exit_code == 0, result.output
    assert _says(result.output, "主帮扶")
    problem = load_dataset(with_visits)
    pairs = {p.household_id: p for p in read_pairing(out / "pairs.csv")}
    visits = [n for n in problem.needs if n.id.split("-")[0] in pairs and "-" in n.id]
    assert visits and len(problem.needs) == len(load_dataset(SAMPLE).needs) + len(visits)
    pinned = {p.need_id: p.volunteer_id for p in problem.pins}
    for need in visits:
        pair = pairs[need.household_id or ""]
        # pinned to the primary or the backup, or to nobody (flagged)
        assert pinned.get(need.id) in (pair.primary_id, pair.backup_id, None)
    share = sum(pinned.get(n.id) == pairs[n.household_id or ""].primary_id for n in visits)
    assert share / len(visits) >= 0.7
    roster = tmp_path / "roster"
    solved = runner.invoke(
        app, ["solve", str(with_visits), "--out", str(roster), "--time-limit", "30"]
    )
    assert solved.exit_code == 0, solved.output
    checked = runner.invoke(app, ["check", str(with_visits), str(roster / "roster.csv")])
    assert checked.exit_code == 0, (
        checked.output
    )  # the pins hold: every visit by its pinned volunteer
