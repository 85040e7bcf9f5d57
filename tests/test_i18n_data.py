"""The data-reading layer speaks Chinese by default: errors and warnings of real files.

Each test reads a dataset (or a cell, a parameter file) through the real
reader in Chinese and checks the message names the file, row and column in
Chinese with its values filled in; and in English with ``use_language("en")``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from matcher.calendar import restrict_horizon
from matcher.data_warnings import problem_warnings
from matcher.errors import DataError, DataIssue
from matcher.i18n import use_language
from matcher.io import ReadLimits, load_dataset, load_dataset_with_warnings
from matcher.io.cells import parse_bool, parse_date, parse_time
from matcher.params import load_params
from tests.test_io import BASE, make_dataset

CHINESE_VOLUNTEERS = "编号,姓名,身份,政治面貌,学院,最多班次\nV1,张三,教师,党员,机电学院,很多\n"


def _error(path: Path, limits: ReadLimits | None = None) -> DataError:
    with pytest.raises(DataError) as info:
        load_dataset(path, limits)
    return info.value


def test_a_bad_cell_is_told_in_chinese_with_file_row_and_column(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", {"volunteers.csv": CHINESE_VOLUNTEERS})
    with use_language("zh"):
        text = str(_error(folder))
    assert "volunteers.csv 第 2 行「最多班次 (max_shifts)」列：应为整数，实际为 「很多」" in text
    with use_language("en"):
        text = str(_error(folder))
    assert (
        "volunteers.csv, row 2, column 最多班次 (max_shifts): expected a whole number, "
        "found '很多'" in text
    )


def test_chinese_is_the_default_without_matcher_lang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATCHER_LANG", raising=False)
    broken = BASE["needs"].replace("N1,修电视,repair-appliance,H1", "N1,修电视,repair-appliance,H9")
    folder = make_dataset(tmp_path / "ds", {"needs.csv": broken})
    text = str(_error(folder))
    assert (
        "needs.csv 第 2 行「household_id」列：应为「住户」表（households）中的住户编号，"
        "实际为未知的 'H9'" in text
    )


def test_a_repeated_id_names_the_chinese_column_and_the_first_row(tmp_path: Path) -> None:
    repeated = BASE["volunteers"] + "V1,王五,student,league,A社区,,\n"
    folder = make_dataset(tmp_path / "ds", {"volunteers.csv": repeated})
    with use_language("zh"):
        text = str(_error(folder))
    assert (
        "volunteers.csv 第 4 行「id」列：「编号」不能重复，'V1' 再次出现（首次出现在第 2 行）"
        in text
    )
    with use_language("en"):
        text = str(_error(folder))
    assert "expected a unique id, found 'V1' again (first on row 2)" in text


def test_a_missing_column_and_file_are_told_in_chinese(tmp_path: Path) -> None:
    folder = make_dataset(
        tmp_path / "ds",
        {"volunteers.csv": "id,role,membership,department\nV1,teacher,party,A社区\n"},
    )
    (folder / "needs.csv").unlink()
    with use_language("zh"):
        text = str(_error(folder))
    assert "volunteers.csv 第 1 行「name」列：缺少必填列 name；可用的表头：name, 姓名" in text
    assert "缺少必需的文件：needs.csv (需求.csv)" in text


def test_warnings_of_a_workbook_are_told_in_chinese(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in BASE:
        lines = (folder / f"{sheet}.csv").read_text(encoding="utf-8").splitlines()
        ws = book.create_sheet(sheet)
        if sheet == "volunteers":
            ws.append(["社区A志愿者名单"])
        for line in lines:
            ws.append(
                [
                    *line.split(","),
                    *(["微信号"] if sheet == "volunteers" and line.startswith("id,") else []),
                ]
            )
    book.save(tmp_path / "社区A.xlsx")
    with use_language("zh"):
        _problem, warnings = load_dataset_with_warnings(tmp_path / "社区A.xlsx")
        shown = [str(w) for w in warnings]
    assert shown == [
        "社区A.xlsx 工作表「volunteers」：表头在第 2 行；已忽略第 1 行（社区A志愿者名单）",
        "社区A.xlsx 工作表「volunteers」 的「微信号」列：不是数据格式中的列，已忽略",
    ]
    with use_language("en"):
        _problem, warnings = load_dataset_with_warnings(tmp_path / "社区A.xlsx")
    assert [str(w) for w in warnings] == [
        "社区A.xlsx, sheet volunteers: headers found on row 2; row 1 (社区A志愿者名单) ignored",
        "社区A.xlsx, sheet volunteers, column 微信号: not part of the format and was ignored",
    ]


def test_a_dataset_too_large_is_refused_in_the_language_in_force(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    limits = ReadLimits(max_rows_per_sheet=1)
    with use_language("zh"):
        assert "数据过大：每个表表头下最多 1 行" in str(_error(folder, limits))
    with use_language("en"):
        assert "too large: more than 1 rows below the header" in str(_error(folder, limits))


def test_cells_tell_what_was_expected_in_chinese() -> None:
    with use_language("zh"):
        with pytest.raises(ValueError, match="应为日期，如 2026-10-24，实际为 「明天」"):
            parse_date("明天")
        with pytest.raises(
            ValueError, match="应为 00:00 到 23:59 之间的时间，如 09:00，实际为 空单元格"
        ):
            parse_time("")
        with pytest.raises(ValueError, match="应为 是/否"):
            parse_bool("也许")
        span = (dt.date(2026, 12, 1), dt.date(2027, 12, 31))
        with pytest.raises(ValueError, match="可能是 2026-12-24 也可能是 2027-12-24，请写上年份"):
            parse_date("12月24日", within=span)
    with use_language("en"), pytest.raises(ValueError, match="found '明天'"):
        parse_date("明天")


def test_a_data_issue_reads_in_either_language() -> None:
    issue = DataIssue("volunteers.csv", 3, "姓名", "此项必填，实际为空单元格")
    with use_language("zh"):
        assert str(issue) == "volunteers.csv 第 3 行「姓名」列：此项必填，实际为空单元格"
        assert str(DataIssue("horizon", None, None, "x")) == "horizon：x"
    with use_language("en"):
        assert (
            str(DataIssue("volunteers.csv", 3, "name", "m"))
            == "volunteers.csv, row 3, column name: m"
        )


def test_problem_warnings_and_horizon_errors_are_chinese(tmp_path: Path) -> None:
    volunteers = BASE["volunteers"] + "V3,王五,student,league,A社区,,\n"
    problem = load_dataset(make_dataset(tmp_path / "ds", {"volunteers.csv": volunteers}))
    with use_language("zh"):
        messages = [w.message for w in problem_warnings(problem)]
        with pytest.raises(DataError, match="开始日期 2026-10-05 晚于结束日期 2026-10-01"):
            restrict_horizon(problem, dt.date(2026, 10, 5), dt.date(2026, 10, 1))
    assert "志愿者 V3 王五 没有任何可服务时间" in messages
    with use_language("en"):
        messages = [w.message for w in problem_warnings(problem)]
    assert "volunteer V3 王五 has no availability at all" in messages


def test_a_parameter_file_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "params.toml"
    path.write_text('preset = "随便"\n', encoding="utf-8")
    with use_language("zh"), pytest.raises(DataError) as info:
        load_params(path)
    assert (
        "「preset」列：应为预设方案名（均衡、党员双报到、扩大参与、连续帮扶），实际为 '随便'"
        in str(info.value)
    )
    with use_language("zh"), pytest.raises(DataError, match="找不到文件"):
        load_params(tmp_path / "missing.toml")
