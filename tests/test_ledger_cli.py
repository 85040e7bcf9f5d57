"""``matcher ledger`` on the sample: the files, the chart's Chinese font, certificates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from matcher.attendance import AttendanceStatus
from matcher.cli import app
from matcher.io import load_dataset
from matcher.io.ledger import read_ledger_entries
from matcher.ledger.files import LEDGER_FILES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
ATTENDANCE = ROOT / "datasets" / "community_a_attendance.csv"
runner = CliRunner()


def _run(out: Path, *extra: str, lang: str = "zh") -> str:
    result = runner.invoke(
        app,
        [
            "--lang",
            lang,
            "ledger",
            str(SAMPLE),
            "--out",
            str(out),
            "--attendance",
            str(ATTENDANCE),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("ledger-zh")
    return out, _run(out, "--certificate", "V0002")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_sample_gives_every_file_and_a_non_empty_warning_list(
    chinese: tuple[Path, str],
) -> None:
    out, output = chinese
    for name in LEDGER_FILES:
        assert (out / name).stat().st_size > 0, name
    warnings = _rows(out / "warnings.csv")
    assert warnings, "the sample must yield an early-warning list"
    problem = load_dataset(SAMPLE)
    members = {v.id for v in problem.volunteers if v.membership.is_party}
    assert {row["volunteer_id"] for row in warnings} <= members
    assert all(float(row["points"]) < float(row["threshold"]) for row in warnings)
    assert any(row["next_need"].startswith("N") for row in warnings)
    assert "预警" in output and f"{len(warnings)} 名党员低于预警线" in output


def test_the_points_file_holds_attendance_statuses_and_the_rule_version(
    chinese: tuple[Path, str],
) -> None:
    out, _output = chinese
    points = _rows(out / "points.csv")
    statuses = {row["status"] for row in points}
    assert {s.value for s in AttendanceStatus} <= statuses
    assert {row["rule_version"] for row in points} == {"2020.1"}
    for row in points:
        if row["status"] == "no_show":
            assert float(row["hours"]) == 0 and float(row["points"]) < 0
    hours = _rows(out / "hours.csv")
    by_volunteer = {r["key"]: float(r["hours"]) for r in hours if r["by"] == "volunteer"}
    summed: dict[str, float] = {}
    for row in points:
        summed[row["volunteer_id"]] = summed.get(row["volunteer_id"], 0) + float(row["hours"])
    assert by_volunteer == pytest.approx(summed)


def test_the_workbook_has_chinese_sheets_and_headers(chinese: tuple[Path, str]) -> None:
    out, _output = chinese
    book = load_workbook(out / "ledger.xlsx", read_only=True)
    assert book.sheetnames == ["时长统计", "积分明细", "星级", "积分排行", "预警名单", "学院报告"]
    header = next(book["预警名单"].iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("志愿者编号", "姓名", "学院", "政治面貌")


def test_the_certificate_opens_and_lists_the_volunteers_entries(
    chinese: tuple[Path, str],
) -> None:
    out, _output = chinese
    reader = PdfReader(out / "certificates" / "V0002.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "志愿服务记录证明" in text and "李林宇" in text and "A社区居民委员会" in text
    own = [row for row in _rows(out / "points.csv") if row["volunteer_id"] == "V0002"]
    assert own
    for row in own:
        assert row["date"] in text and row["need_id"] in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("LedgerSansSC" in name for name in fonts), fonts  # the shipped font, embedded


def test_english_messages_and_the_same_files(tmp_path: Path, chinese: tuple[Path, str]) -> None:
    out, _output = chinese
    output = _run(tmp_path, lang="en")
    assert "Early warning:" in output and "members under the mark" in output
    for name in ("hours.csv", "points.csv", "warnings.csv", "departments.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    assert not (tmp_path / "certificates").exists()


def test_a_period_narrows_the_tables(tmp_path: Path) -> None:
    _run(tmp_path, "--from", "2026-09-01", "--to", "2026-09-30")
    points = _rows(tmp_path / "points.csv")
    assert points and all("2026-09-01" <= row["date"] <= "2026-09-30" for row in points)
    warnings = _rows(tmp_path / "warnings.csv")
    assert {(row["period_start"], row["period_end"]) for row in warnings} == {
        ("2026-07-01", "2026-09-30")
    }


def test_bad_input_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[versions]]\nversion = "x"\neffective_from = 2020-01-01\nfoo = 1\n')
    out = tmp_path / "out"
    cases = [
        (["--rules", str(rules)], "rules.toml: versions[0].foo: unknown key"),
        (["--certificate", "V9999"], "volunteer V9999 is not in the dataset"),
        (["--from", "2026-10-01", "--to", "2026-09-01"], "from 2026-10-01 is after to 2026-09-01"),
        (["--to", "someday"], "--to"),
    ]
    for extra, expected in cases:
        result = runner.invoke(
            app, ["--lang", "en", "ledger", str(SAMPLE), "--out", str(out), *extra]
        )
        assert result.exit_code == 2, result.output
        assert expected in result.output, result.output
    bad = tmp_path / "出勤.csv"
    bad.write_text("需求编号,志愿者编号,出勤情况\nN001,V0002,迟迟\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--lang", "zh", "ledger", str(SAMPLE), "--out", str(out), "--attendance", str(bad)]
    )
    assert result.exit_code == 2
    assert "出勤.csv" in result.output and "第 2 行" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_later_attendance_sheet_corrects_an_earlier_one(tmp_path: Path) -> None:
    first = ATTENDANCE.read_text(encoding="utf-8-sig").splitlines()
    header, row = first[0], first[1]
    fields = row.split(",")
    assert fields[5] == "到岗"
    fields[5] = "缺席"
    correction = tmp_path / "更正.csv"
    correction.write_text(header + "\n" + ",".join(fields) + "\n", encoding="utf-8")
    source = read_ledger_entries(SAMPLE, [ATTENDANCE, correction])
    key = (fields[2], fields[0])
    matching = [e for e in source.entries if (e.volunteer_id, e.need_id) == key]
    assert len(matching) == 1
    assert matching[0].status is AttendanceStatus.NO_SHOW and matching[0].minutes == 0
    assert matching[0].source == "attendance:更正.csv"
    festival = [e for e in source.entries if str(e.date) == "2026-09-25"]
    assert festival and all(e.festival for e in festival)  # 中秋节 of the horizon


def test_the_chart_text_is_set_in_a_font_with_chinese_glyphs() -> None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from matcher.fonts import FONT_FILE, use_in_matplotlib

    families = list(use_in_matplotlib())
    problem = load_dataset(SAMPLE)
    texts = ["各学院志愿服务统计", "服务时长与积分", "注册与参与人数", "参与服务的志愿者"]
    texts += sorted({v.department for v in problem.volunteers})
    chosen = font_manager.findfont(
        font_manager.FontProperties(family=families), fallback_to_default=False
    )
    assert Path(chosen) == FONT_FILE
    font = FT2Font(chosen)
    charmap = font.get_charmap()
    missing = {ch for text in texts for ch in text if ord(ch) not in charmap}
    assert not missing
    # matplotlib's own default font has none of them: without the shipped font, boxes
    default = FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    assert all(ord(ch) not in default.get_charmap() for ch in "各学院志愿服务")


def test_the_chart_is_a_png_drawn_with_the_shipped_font(chinese: tuple[Path, str]) -> None:
    import matplotlib.image

    out, _output = chinese
    image = matplotlib.image.imread(out / "departments.png")
    assert image.shape[0] > 300 and image.shape[1] > 600
