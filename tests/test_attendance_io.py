"""Attendance sheets: read from CSV and XLSX, checked row by row, imported into the history."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.attendance import AttendancePlan, AttendanceStatus
from matcher.cli import app
from matcher.domain import Assignment, Problem
from matcher.errors import DataError
from matcher.i18n import use_language
from matcher.io import load_dataset, read_roster, write_dataset
from matcher.io.attendance import (
    import_attendance,
    read_attendance,
    read_attendance_rows,
    write_attendance_template,
)
from matcher.io.format import ATTENDANCE_SHEET

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
runner = CliRunner()


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample solved once (a short run is enough: any roster will do)."""
    out = tmp_path_factory.mktemp("solved")
    result = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "3"])
    assert result.exit_code == 0, result.output
    return out / "roster.csv"


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def roster(solved: Path) -> list[Assignment]:
    return read_roster(solved)


def _timed(roster: list[Assignment]) -> list[Assignment]:
    return [a for a in roster if a.date is not None and a.start is not None]


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_chinese_csv_with_a_title_row_reads_every_status(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    a, b, c, d = _timed(roster)[:4]
    text = (
        "社区A 9月出勤登记\n"
        "需求编号,志愿者编号,日期,出勤情况,实际开始,实际结束,备注\n"
        f"{a.need_id},{a.volunteer_id},,到岗,,,\n"
        f"{b.need_id},{b.volunteer_id},{b.date:%m月%d日},迟到,{(b.start or 0) // 60 + 1}点,,堵车\n"
        f"{c.need_id},{c.volunteer_id},,早退,,{(c.end or 0) // 60 - 1}:00,\n"
        f"{d.need_id},{d.volunteer_id},,爽约,,,生病\n"
    )
    # GB18030, as Excel on a simplified-Chinese Windows saves "CSV"
    path = _csv(tmp_path / "出勤.csv", text, "gb18030")
    found, warnings = read_attendance_rows(path, AttendancePlan(problem, roster))
    records = [item.record for item in found]
    assert [r.status for r in records] == list(AttendanceStatus)
    assert [item.row for item in found] == [3, 4, 5, 6]
    assert any("headers found on row 2" in str(w) for w in warnings)
    on_time, late, early, absent = records
    assert on_time.date == a.date and on_time.start is None and on_time.minutes == a.end - a.start
    # a late start: the end is the planned one, the minutes the span actually served
    assert late.start == ((b.start or 0) // 60 + 1) * 60 and late.end == b.end
    assert late.minutes == (b.end or 0) - late.start and late.reason == "堵车"
    assert early.start == c.start and early.end == ((c.end or 0) // 60 - 1) * 60
    assert absent.minutes == 0 and not absent.status.served


def test_english_values_and_headers_in_an_xlsx(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    from openpyxl import Workbook

    a, b = _timed(roster)[:2]
    book = Workbook()
    sheet = book.active
    sheet.title = "attendance"
    sheet.append(["need_id", "volunteer_id", "date", "status", "start", "end", "reason"])
    sheet.append([a.need_id, a.volunteer_id, a.date, "attended", None, None, None])
    sheet.append([b.need_id, b.volunteer_id, None, "No-Show", None, None, "sick"])
    book.save(tmp_path / "a.xlsx")
    records = read_attendance(tmp_path / "a.xlsx", AttendancePlan(problem))
    assert [r.status for r in records] == [AttendanceStatus.ATTENDED, AttendanceStatus.NO_SHOW]


def test_every_bad_row_is_named_by_row_and_column(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    a, b = _timed(roster)[:2]
    served = {(x.need_id, x.volunteer_id) for x in roster}
    elsewhere = next(
        v.id for v in problem.volunteers if (a.need_id, v.id) not in served
    )  # a volunteer who was not on need a
    untimed = next(x for x in roster if x.date is None)
    text = (
        "need_id,volunteer_id,date,status,start,end\n"
        f"{a.need_id},V9999,,attended,,\n"  # 2 unknown volunteer
        f"N9999,{a.volunteer_id},,attended,,\n"  # 3 unknown need
        f"{a.need_id},{elsewhere},,attended,,\n"  # 4 not on the need in the roster
        f"{a.need_id},{a.volunteer_id},2030-01-01,attended,,\n"  # 5 outside the horizon
        f"{b.need_id},{b.volunteer_id},,late,11:00,10:00\n"  # 6 end before start
        f"{b.need_id},{b.volunteer_id},,maybe,,\n"  # 7 unknown status
        f"{a.need_id},{a.volunteer_id},,no_show,09:00,\n"  # 8 time for a no-show
        f"{a.need_id},{a.volunteer_id},,attended,,\n"  # 9 fine
        f"{a.need_id},{a.volunteer_id},,late,,\n"  # 10 the same as row 9
        f"{untimed.need_id},{untimed.volunteer_id},,attended,,\n"  # 11 no date to take
        f"{a.need_id},{a.volunteer_id},,,,,\n"  # 12 not filled in yet: no error
        f"{b.need_id},{b.volunteer_id},,,09:00,\n"  # 13 a time without a status
    )
    path = _csv(tmp_path / "bad.csv", text)
    with pytest.raises(DataError) as caught:
        read_attendance(path, AttendancePlan(problem, roster))
    placed = {(issue.row, issue.column) for issue in caught.value.issues}
    assert {
        (2, "volunteer_id"),
        (3, "need_id"),
        (4, "volunteer_id"),
        (5, "date"),
        (6, "end"),
        (7, "status"),
        (8, "start"),
        (10, "need_id"),
        (11, "date"),
        (13, "status"),
    } == placed
    assert all(issue.file == "bad.csv" for issue in caught.value.issues)
    messages = {issue.row: issue.message for issue in caught.value.issues}
    assert "as row 9" in messages[10]
    assert "not on it" in messages[4]


def test_errors_are_told_in_chinese(tmp_path: Path, problem: Problem) -> None:
    path = _csv(
        tmp_path / "bad.csv", "需求编号,志愿者编号,出勤情况\nN001,V9999,到岗\nN001,V0001,来了\n"
    )
    with use_language("zh"):
        with pytest.raises(DataError) as caught:
            read_attendance(path, AttendancePlan(problem))
        text = "\n".join(str(issue) for issue in caught.value.issues)
    assert "第 2 行" in text and "志愿者编号" in text and "V9999" in text
    assert "第 3 行" in text and "出勤情况" in text and "「来了」" in text


def test_a_missing_column_and_a_missing_file_are_refused(tmp_path: Path, problem: Problem) -> None:
    path = _csv(tmp_path / "a.csv", "需求编号,志愿者编号\nN001,V0001\n")
    with pytest.raises(DataError, match="missing required column status"):
        read_attendance(path, AttendancePlan(problem))
    with pytest.raises(DataError, match="no such file"):
        read_attendance(tmp_path / "nowhere.csv", AttendancePlan(problem))
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(DataError, match=r"expected a \.csv file"):
        read_attendance(tmp_path / "a.json", AttendancePlan(problem))


def test_the_template_has_a_row_per_assignment_and_reads_back(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    path = tmp_path / "出勤.xlsx"
    assert write_attendance_template(path, problem, roster) == len(roster)
    book = load_workbook(path)
    assert book.sheetnames == [ATTENDANCE_SHEET.zh, "说明"]
    sheet = book[ATTENDANCE_SHEET.zh]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [info.zh[0] for info in ATTENDANCE_SHEET.columns.values()]
    assert sheet.max_row == len(roster) + 1
    assert sheet.data_validations.dataValidation  # the status drop-down
    # as handed out: nothing recorded yet, so nothing is read and each row is said skipped
    found, warnings = read_attendance_rows(path, AttendancePlan(problem, roster))
    assert found == [] and any("no status yet" in str(w) for w in warnings)
    status = headers.index("出勤情况") + 1
    date = headers.index("日期") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=status, value="到岗")
        if sheet.cell(row=row, column=date).value is None:
            sheet.cell(row=row, column=date, value="2026-09-20")  # an untimed need's day
    book.save(path)
    records = read_attendance(path, AttendancePlan(problem, roster))
    assert len(records) == len(roster)
    assert {(r.need_id, r.volunteer_id) for r in records} == {
        (a.need_id, a.volunteer_id) for a in roster
    }
    write_attendance_template(tmp_path / "empty.xlsx")
    assert load_workbook(tmp_path / "empty.xlsx")[ATTENDANCE_SHEET.zh].max_row == 1


def test_import_into_a_workbook_appends_to_its_history_sheet(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    book = tmp_path / "data.xlsx"
    write_dataset(problem, book)
    a, b = _timed(roster)[:2]
    sheet = _csv(
        tmp_path / "att.csv",
        "需求编号,志愿者编号,出勤情况\n"
        f"{a.need_id},{a.volunteer_id},到岗\n{b.need_id},{b.volunteer_id},缺席\n",
    )
    report = import_attendance(book, sheet, roster)
    assert report.written == book and len(report.added) == 2
    history = load_dataset(book).history
    assert len(history) == len(problem.history) + 2
    added = history[-2:]
    assert added[0].attended and added[0].minutes == (a.end or 0) - (a.start or 0)
    assert not added[1].attended and added[1].minutes == 0
    assert added[0].need_id == a.need_id and added[0].date == a.date
    again = import_attendance(book, sheet, roster)
    assert not again.added and len(again.already) == 2 and again.written is None
    assert len(load_dataset(book).history) == len(problem.history) + 2


def test_import_into_a_folder_without_history_makes_one(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    folder = tmp_path / "ds"
    write_dataset(problem.replace(history=()), folder)
    assert not (folder / "history.csv").exists()
    a = _timed(roster)[0]
    sheet = _csv(
        tmp_path / "att.csv", f"need_id,volunteer_id,status\n{a.need_id},{a.volunteer_id},late\n"
    )
    import_attendance(folder, sheet, roster)
    (entry,) = load_dataset(folder).history
    assert (entry.volunteer_id, entry.need_id, entry.date) == (a.volunteer_id, a.need_id, a.date)


def test_cli_template_import_and_a_second_import_adds_nothing(
    tmp_path: Path, solved: Path, roster: list[Assignment]
) -> None:
    dataset = tmp_path / "community_a"
    shutil.copytree(SAMPLE, dataset)
    before = load_dataset(dataset)
    template = tmp_path / "att.xlsx"
    made = runner.invoke(
        app,
        [
            "attendance",
            "template",
            str(template),
            "--dataset",
            str(dataset),
            "--roster",
            str(solved),
        ],
    )
    assert made.exit_code == 0, made.output
    assert f"{len(roster)} rows to fill in" in made.output
    book = load_workbook(template)
    sheet = book.worksheets[0]
    words = ["到岗", "迟到", "早退", "缺席"]
    filled = 0
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=5).value is None:
            continue  # untimed needs: left blank, so skipped
        sheet.cell(row=row, column=7, value=words[filled % 4])
        filled += 1
    book.save(template)
    args = ["attendance", "import", str(dataset), str(template), "--roster", str(solved)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    flat = " ".join(first.output.split())
    assert f"added {filled} history entries" in flat
    counts = [(filled + 3 - i) // 4 for i in range(4)]
    assert (
        f"attended {counts[0]}, late {counts[1]}, left early {counts[2]}, no-show {counts[3]}"
        in flat
    )
    assert "no status yet" in flat  # the untimed rows left blank
    after = load_dataset(dataset)
    assert len(after.history) == len(before.history) + filled
    assert sum(not h.attended for h in after.history[len(before.history) :]) == counts[3]
    # the rest of the dataset is as it was
    for name in _digest(SAMPLE):
        if name != "history.csv":
            assert (dataset / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    history = (dataset / "history.csv").read_bytes()
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    flat = " ".join(second.output.split())
    assert f"{filled} rows already in the history, skipped" in flat
    assert "nothing new" in flat
    assert (dataset / "history.csv").read_bytes() == history


def test_cli_a_failed_import_changes_nothing(tmp_path: Path, solved: Path) -> None:
    dataset = tmp_path / "community_a"
    shutil.copytree(SAMPLE, dataset)
    before = _digest(dataset)
    good = read_roster(solved)[0]
    sheet = _csv(
        tmp_path / "att.csv",
        f"need_id,volunteer_id,status\n{good.need_id},{good.volunteer_id},attended\nN001,V9999,late\n",
    )
    result = runner.invoke(app, ["attendance", "import", str(dataset), str(sheet)])
    assert result.exit_code == 2
    assert "att.csv, row 3, column volunteer_id" in " ".join(result.output.split())
    assert _digest(dataset) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_cli_template_wants_both_dataset_and_roster(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["attendance", "template", str(tmp_path / "t.xlsx"), "--dataset", str(SAMPLE)]
    )
    assert result.exit_code == 2 and "--roster" in result.output
    empty = runner.invoke(app, ["attendance", "template", str(tmp_path / "t.xlsx")])
    assert empty.exit_code == 0 and "0 rows" in " ".join(empty.output.split())


def test_cli_import_speaks_chinese(tmp_path: Path, roster: list[Assignment]) -> None:
    dataset = tmp_path / "community_a"
    shutil.copytree(SAMPLE, dataset)
    a = _timed(roster)[0]
    sheet = _csv(
        tmp_path / "att.csv", f"需求编号,志愿者编号,出勤情况\n{a.need_id},{a.volunteer_id},迟到\n"
    )
    result = runner.invoke(app, ["--lang", "zh", "attendance", "import", str(dataset), str(sheet)])
    assert result.exit_code == 0, result.output
    assert "添加 1 条历史记录" in result.output and "迟到 1" in result.output


def test_a_date_of_an_untimed_need_must_be_in_the_horizon(tmp_path: Path, problem: Problem) -> None:
    untimed = next(n for n in problem.needs if n.date is None)
    volunteer = problem.volunteers[0].id
    inside = problem.horizon.start + dt.timedelta(days=1)
    path = _csv(
        tmp_path / "a.csv",
        f"need_id,volunteer_id,date,status\n{untimed.id},{volunteer},{inside},attended\n",
    )
    (record,) = read_attendance(path, AttendancePlan(problem))
    assert record.date == inside and record.minutes == untimed.duration


def test_a_chinese_history_keeps_its_title_row_and_gets_chinese_words(
    tmp_path: Path, problem: Problem, roster: list[Assignment]
) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(SAMPLE, folder)
    (folder / "history.csv").unlink()
    old = (
        "社区A服务记录\n"  # a title row, GB18030 as Excel saves it
        "志愿者编号,日期,需求编号,小时,出勤,我的备注\n"
        "V0001,2026-07-26,P00001,3,是,老数据\n"
    )
    (folder / "历史记录.csv").write_bytes(old.encode("gb18030"))
    a, b = _timed(roster)[:2]
    sheet = _csv(
        tmp_path / "att.csv",
        f"需求编号,志愿者编号,出勤情况\n{a.need_id},{a.volunteer_id},到岗\n{b.need_id},{b.volunteer_id},缺席\n",
    )
    report = import_attendance(folder, sheet, roster)
    assert report.written == folder / "历史记录.csv"
    lines = (folder / "历史记录.csv").read_text(encoding="utf-8-sig").splitlines()
    # the title row (padded to the sheet's width), the headers and the old row as they were
    assert [line.rstrip(",") for line in lines[:3]] == old.splitlines()
    assert lines[3].startswith(f"{a.volunteer_id},{a.date},{a.need_id},") and lines[3].endswith(
        ",是,"
    )
    assert lines[4].endswith(",0,否,")
    history = load_dataset(folder).history
    assert len(history) == 3 and [h.attended for h in history] == [True, True, False]
