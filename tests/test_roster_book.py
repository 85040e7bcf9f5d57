"""The files for people that ``matcher solve`` writes: the roster workbook and the chat texts.

Issue 10 ("Chinese first"), the output side: ``roster-book.xlsx`` read back
with openpyxl (sheets, widths, wrapping, frozen header, print setup), the
group-chat text of every service day of the sample, the volunteers'
messages, personal data shown, masked or left out, and a failed run that
leaves the last good roster in place.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from matcher.cli import app
from matcher.domain import Problem
from matcher.export import BOOK_FILE, FAILED_SUMMARY_FILE, MESSAGES_FILE, ROSTER_FILES
from matcher.io import load_dataset, read_roster
from matcher.io.chat import MESSAGE_LIMIT_BYTES, day_texts, split_message, volunteer_messages
from matcher.io.roster_book import GAPS_SHEET, OVERVIEW_SHEET, UNTIMED_SHEET, VOLUNTEERS_SHEET
from matcher.io.roster_book import roster_book as make_book
from matcher.io.roster_view import PersonalData, day_label
from tests.test_formula_injection import assert_no_formula, dangerous_problem, dangerous_result

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
runner = CliRunner()
PHONE = re.compile(r"1\d\d-?\d{4}-?\d{4}")


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def book(solved: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(solved / BOOK_FILE)


def rows_of(sheet: Worksheet) -> list[dict[str, object]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def service_days(problem: Problem) -> list[dt.date]:
    return sorted({n.date for n in problem.needs if n.date is not None})


def test_book_has_overview_days_gaps_and_index(book: openpyxl.Workbook, problem: Problem) -> None:
    days = [day_label(problem, day) for day in service_days(problem)]
    assert days == ["9月19日 周六", "9月25日 中秋节", "9月26日 周六", "9月27日 周日"]
    assert book.sheetnames == [
        OVERVIEW_SHEET,
        *days,
        UNTIMED_SHEET,
        GAPS_SHEET,
        VOLUNTEERS_SHEET,
    ]


def test_every_sheet_is_laid_out_for_print(book: openpyxl.Workbook) -> None:
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title  # header on every page
        setup = sheet.page_setup
        assert str(setup.paperSize) == sheet.PAPERSIZE_A4 == "9", sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title  # fit to width
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width and width >= 6, (sheet.title, cell.value)
            assert cell.font.bold
        assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)
    # a day's sheet is wide: landscape
    assert book["9月19日 周六"].page_setup.orientation == "landscape"


def test_day_sheets_list_every_assignment_by_time_and_place(
    book: openpyxl.Workbook, solved: Path, problem: Problem
) -> None:
    roster = read_roster(solved / "roster.csv")
    for day in service_days(problem):
        rows = rows_of(book[day_label(problem, day)])
        assigned = [a for a in roster if a.date == day]
        on_sheet = [r for r in rows if r["角色"] in ("带队", "队员")]
        assert len(on_sheet) == len(assigned), day
        assert {r["姓名"] for r in on_sheet} == {
            problem.volunteer(a.volunteer_id).name for a in assigned
        }
        needs = [n for n in problem.needs if n.date == day]
        assert {r["需求编号"] for r in rows} == {n.id for n in needs}
        # by start time, then place
        starts = [str(r["时间"])[:5] for r in rows]
        assert starts == sorted(starts), day
        for need in needs:
            team = [r for r in rows if r["需求编号"] == need.id]
            if any(r["角色"] == "带队" for r in team):
                assert team[0]["角色"] == "带队"  # the lead first
            if need.household_id and team[0]["角色"]:
                household = problem.household_by_id[need.household_id]
                assert all(r["住户地址"] == household.address for r in team)
                assert all(r["住户电话"] == household.phone for r in team)
        assert all(PHONE.fullmatch(str(r["电话"])) for r in on_sheet)
        assert all(r["学院"] for r in on_sheet)


def test_gaps_overview_and_index_agree_with_the_roster(
    book: openpyxl.Workbook, solved: Path, problem: Problem
) -> None:
    import json

    summary = json.loads((solved / "summary.json").read_text(encoding="utf-8"))
    gaps = rows_of(book[GAPS_SHEET])
    expected = {u["need_id"] for u in summary["unmet_needs"] + summary["short_needs"]}
    assert {r["需求编号"] for r in gaps} == expected
    assert all(r["原因"] for r in gaps)
    unstaffed = {u["need_id"] for u in summary["unmet_needs"]}
    assert {r["需求编号"] for r in gaps if r["情况"] == "未安排"} == unstaffed

    overview = rows_of(book[OVERVIEW_SHEET])
    total = overview[-1]
    assert total["日期"] == "合计"
    assert total["需求"] == len(problem.needs)
    assert total["已安排"] == len(problem.needs) - len(unstaffed)
    assert total["人次"] == summary["assignments"]
    assert "199-0000-" in str(overview[0]["带队联系人"])  # who to call, with phones

    roster = pd.read_csv(solved / "roster.csv", dtype=str, keep_default_na=False)
    index = rows_of(book[VOLUNTEERS_SHEET])
    assert len(index) == len(problem.volunteers)
    counts = roster["volunteer_id"].value_counts()
    for row in index:
        assert row["任务数"] == counts.get(str(row["编号"]), 0)


def test_viewers_see_masks_and_without_masks_nothing(problem: Problem, solved: Path) -> None:
    roster = read_roster(solved / "roster.csv")
    masks = PersonalData(phone=lambda p: "*" * 7 + p[-4:], address=lambda a: a[:2] + "****")
    masked = openpyxl.load_workbook(
        io.BytesIO(make_book(problem, roster, personal=False, masks=masks))
    )
    dropped = openpyxl.load_workbook(io.BytesIO(make_book(problem, roster, personal=False)))
    for book, phone_ok in ((masked, r"\*{7}\d{4}"), (dropped, "")):
        text = " ".join(
            str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r
        )
        assert not PHONE.search(text)
        assert not any(h.address in text for h in problem.households)
        sheet = book["9月19日 周六"]
        phones = [r["电话"] or "" for r in rows_of(sheet) if r["角色"]]
        assert phones and all(re.fullmatch(phone_ok, str(p)) for p in phones)
    assert "栋****" not in "".join(map(str, rows_of(dropped["9月19日 周六"])))
    assert any(r["住户地址"] == "5栋****" for r in rows_of(masked["9月19日 周六"]))


def test_the_book_writes_text_not_formulas() -> None:
    problem = dangerous_problem()
    result = dangerous_result(problem)
    assert_no_formula(make_book(problem, result.assignments, result.unmet))


def test_a_chat_text_per_service_day(solved: Path, problem: Problem) -> None:
    roster = read_roster(solved / "roster.csv")
    days = service_days(problem)
    texts = sorted(p.name for p in solved.glob("roster-*.txt"))
    assert texts == sorted([f"roster-{d.isoformat()}.txt" for d in days] + ["roster-untimed.txt"])
    for day in days:
        text = (solved / f"roster-{day.isoformat()}.txt").read_bytes().decode("utf-8")
        messages = text.rstrip("\n").split("\n\n")
        assert all(len(m.encode("utf-8")) <= MESSAGE_LIMIT_BYTES for m in messages)
        assert not re.search(r"\*\*|^#|```|^- ", text, re.MULTILINE)  # no markdown
        label = day_label(problem, day)
        lines = [line for m in messages for line in m.split("\n")[1:]]
        needs = [line for line in lines if line.startswith(f"【{label}】")]
        assert len(needs) == sum(1 for n in problem.needs if n.date == day)
        for a in (a for a in roster if a.date == day):
            assert problem.volunteer(a.volunteer_id).name in text
            if a.role == "lead":
                assert problem.volunteer(a.volunteer_id).phone in text
        assert not any(h.address in text for h in problem.households)  # not in a group
        assert not any(h.phone in text for h in problem.households)
    line = next(
        line
        for line in (solved / "roster-2026-09-19.txt").read_text(encoding="utf-8").splitlines()
        if "义务理发" in line
    )
    assert re.fullmatch(
        r"【9月19日 周六】义务理发 09:00-11:30 社区党群服务中心：带队 \S+（199-0000-\d{4}）.*", line
    )


def test_a_message_per_volunteer(solved: Path, problem: Problem) -> None:
    roster = read_roster(solved / "roster.csv")
    text = (solved / MESSAGES_FILE).read_text(encoding="utf-8")
    messages = text.rstrip("\n").split("\n\n")
    on_roster = {a.volunteer_id for a in roster}
    assert len(messages) == len(on_roster)
    assert all(len(m.encode("utf-8")) <= MESSAGE_LIMIT_BYTES for m in messages)
    by_id = volunteer_messages(problem, roster)
    for volunteer_id, parts in by_id.items():
        mine = [a for a in roster if a.volunteer_id == volunteer_id]
        assert f"共 {len(mine)} 项" in parts[0]
        for a in mine:
            assert problem.need(a.need_id).title in "".join(parts)
            # a household visit's team gets the household's address and phone
            need = problem.need(a.need_id)
            if need.household_id:
                household = problem.household_by_id[need.household_id]
                assert household.address in "".join(parts)
                assert f"住户电话 {household.phone}" in "".join(parts)


def test_long_texts_are_split_into_numbered_messages(problem: Problem, solved: Path) -> None:
    roster = read_roster(solved / "roster.csv")
    whole = day_texts(problem, roster, limit=100_000)
    split = day_texts(problem, roster, limit=600)
    for day, (one,) in whole.items():
        parts = split[day]
        assert len(parts) > 1
        assert all(len(p.encode("utf-8")) <= 600 for p in parts)
        assert parts[0].split("\n")[0].endswith(f"（第 1/{len(parts)} 条）")
        assert [line for p in parts for line in p.split("\n")[1:]] == one.split("\n")[1:]
    # a line longer than any message is cut, and nothing is lost
    long_line = "、".join(["队员 张三"] * 500)
    cut = split_message("标题", [long_line], 300)
    assert all(len(p.encode("utf-8")) <= 300 for p in cut)
    assert "".join(p.split("\n", 1)[1] for p in cut) == long_line
    with pytest.raises(ValueError):
        split_message("标题" * 50, ["x"], 200)


def test_viewers_chat_text_is_masked(problem: Problem, solved: Path) -> None:
    roster = read_roster(solved / "roster.csv")
    masks = PersonalData(phone=lambda p: "*******" + p[-4:], address=lambda a: "****")
    for parts in day_texts(problem, roster, personal=False, masks=masks).values():
        assert not PHONE.search("".join(parts))
    for parts in volunteer_messages(problem, roster, personal=False).values():
        text = "".join(parts)
        assert not PHONE.search(text)
        assert not any(h.address in text for h in problem.households)


def test_a_failed_run_keeps_the_last_good_roster(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "30"])
    assert good.exit_code == 0, good.output
    (out / "roster-2026-01-03.txt").write_text("an old horizon", encoding="utf-8")
    (out / "notes.txt").write_text("the coordinator's own", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {*ROSTER_FILES, BOOK_FILE, MESSAGES_FILE} <= set(before)

    # N033 needs sign language, which nobody has; must-cover makes the problem impossible
    impossible = tmp_path / "impossible"
    shutil.copytree(SAMPLE, impossible)
    needs = pd.read_csv(impossible / "needs.csv", dtype=str, keep_default_na=False)
    needs.loc[needs["id"] == "N033", "must_cover"] = "yes"
    needs.to_csv(impossible / "needs.csv", index=False, encoding="utf-8-sig")
    failed = runner.invoke(app, ["solve", str(impossible), "--out", str(out)])
    assert failed.exit_code == 1, failed.output
    assert "kept" in failed.output  # 保留 in Chinese (tests/test_i18n_cli.py)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(after) == set(before) | {FAILED_SUMMARY_FILE}
    assert all(after[name] == data for name, data in before.items())  # byte-identical
    assert "N033" in after[FAILED_SUMMARY_FILE].decode("utf-8")
    assert not list(out.glob(".writing-*"))

    # the next good run replaces the files, drops the old day text and the failure
    again = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "30"])
    assert again.exit_code == 0, again.output
    names = {p.name for p in out.iterdir()}
    assert FAILED_SUMMARY_FILE not in names and "roster-2026-01-03.txt" not in names
    assert "notes.txt" in names


def test_a_failed_run_into_a_new_folder_writes_no_roster(tmp_path: Path) -> None:
    impossible = tmp_path / "impossible"
    shutil.copytree(SAMPLE, impossible)
    needs = pd.read_csv(impossible / "needs.csv", dtype=str, keep_default_na=False)
    needs.loc[needs["id"] == "N033", "must_cover"] = "yes"
    needs.to_csv(impossible / "needs.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "new"
    failed = runner.invoke(app, ["solve", str(impossible), "--out", str(out)])
    assert failed.exit_code == 1
    assert {p.name for p in out.iterdir()} == {FAILED_SUMMARY_FILE}
    assert "no roster files written" in failed.output


def test_sheet_names_excel_accepts_across_a_new_year() -> None:
    from matcher.calendar import build_horizon
    from matcher.domain import (
        Assignment,
        AssignmentRole,
        Membership,
        Need,
        NeedCategory,
        Role,
        Volunteer,
    )

    festival = "元旦/新年:[假期]*?" + "很长的节日名称" * 4
    horizon = build_horizon(
        dt.date(2026, 12, 26), dt.date(2027, 1, 3), festivals=[(dt.date(2027, 1, 1), festival)]
    )
    needs = tuple(
        Need(f"N{i}", "清扫", NeedCategory.CLEAN_UP, 60, day, 540, 600)
        for i, day in enumerate((dt.date(2026, 12, 26), dt.date(2027, 1, 1)), start=1)
    )
    volunteer = Volunteer("V1", "张三", Role.TEACHER, Membership.PARTY, "机电学院")
    problem = Problem(horizon=horizon, volunteers=(volunteer,), needs=needs)
    roster = [Assignment(n.id, "V1", n.date, n.start, n.end, AssignmentRole.LEAD) for n in needs]
    book = openpyxl.load_workbook(io.BytesIO(make_book(problem, roster)))
    days = book.sheetnames[1:3]
    assert days[0] == "2026年12月26日 周六"  # the year, as the horizon spans two
    assert days[1].startswith("2027年1月1日 元旦-新年--假期") and len(days[1]) <= 31
    text = day_texts(problem, roster)[dt.date(2027, 1, 1)][0]
    assert f"【2027年1月1日 {festival}】清扫 09:00-10:00" in text  # the chat keeps the name


def test_a_rename_that_fails_midway_puts_every_file_back(
    tmp_path: Path, problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher import export
    from matcher.params import SolverParams
    from matcher.solver import solve

    result = solve(problem, SolverParams(time_limit=30))
    out = tmp_path / "out"
    export.write_result(problem, result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "roster.csv").write_bytes(b"the last good roster")
    before["roster.csv"] = b"the last good roster"
    real = os.replace

    def locked(src: object, dst: object) -> None:
        # the book open in Excel on Windows: its replacement cannot be renamed in
        if (
            Path(str(dst)) == out / BOOK_FILE
            and ".writing-" in str(src)
            and ".previous" not in str(src)
        ):
            raise PermissionError(13, "being used by another process", str(dst))
        real(src, dst)

    monkeypatch.setattr(export.os, "replace", locked)
    with pytest.raises(PermissionError):
        export.write_result(problem, result, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # roster.csv included: nothing of the new run stayed
