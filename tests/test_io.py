"""Tests of dataset and roster reading and writing (matcher.io)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from matcher.calendar import build_horizon
from matcher.domain import (
    Assignment,
    AssignmentRole,
    AvailabilityWindow,
    Blackout,
    Department,
    Gender,
    HistoryEntry,
    Household,
    HouseholdCategory,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Pin,
    Problem,
    Role,
    Skill,
    Travel,
    Volunteer,
)
from matcher.errors import DataError
from matcher.io import (
    ROSTER_COLUMNS,
    ROSTER_COLUMNS_ZH,
    SHEETS,
    load_dataset,
    parse_bool,
    parse_category,
    parse_date,
    parse_skills,
    parse_time,
    parse_weekday,
    read_roster,
    write_dataset,
    write_template,
)

# A small valid dataset, one CSV text per file.
BASE: dict[str, str] = {
    "horizon": "start,end,festivals\n2026-09-20,2026-10-31,2026-09-25:中秋节\n",
    "departments": "name,fit_categories\n机电学院,repair-appliance\nA社区,\n",
    "volunteers": (
        "id,name,role,membership,department,skills,max_hours\n"
        "V1,张三,teacher,party,机电学院,家电维修:2,6.5\n"
        "V2,李四,resident,none,A社区,,\n"
    ),
    "availability": (
        "volunteer_id,date,weekday,start,end,kind\n"
        "V1,,6,09:00,17:00,\n"
        "V2,2026-10-01,,8:00,12:00,\n"
        "V2,2026-10-02,,,,blackout\n"
    ),
    "households": "id,address,category,area\nH1,3栋101,elderly-alone,北区\n",
    "needs": (
        "id,title,category,household_id,date,start,end,duration_minutes,min_volunteers,"
        "max_volunteers,priority,skills,departments,joint_departments\n"
        "N1,修电视,repair-appliance,H1,2026-10-01,09:00,12:00,60,1,2,5,家电维修,,机电学院\n"
        "N2,微心愿,micro-wish,,,,,,,,,,,\n"
    ),
    "pins": "volunteer_id,need_id,start\nV1,N1,10:00\n",
}


def make_dataset(folder: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """Write BASE with some files replaced (text or raw bytes) or removed (None)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = {f"{k}.csv": v for k, v in BASE.items()}
    files.update(changes or {})
    for name, content in files.items():
        if content is None:
            continue
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def load_error(tmp_path: Path, changes: dict[str, str | bytes | None]) -> DataError:
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", changes))
    return info.value


def replaced(sheet: str, old: str, new: str) -> dict[str, str | bytes | None]:
    assert old in BASE[sheet]
    return {f"{sheet}.csv": BASE[sheet].replace(old, new)}


def assert_issue(
    error: DataError, file: str, row: int | None, column: str | None, *words: str
) -> None:
    """Some issue names this file, row and column and contains all words."""
    for issue in error.issues:
        if (
            issue.file == file
            and issue.row == row
            and issue.column == column
            and all(w in issue.message for w in words)
        ):
            return
    raise AssertionError(f"no issue at {file} row {row} column {column} with {words}:\n{error}")


def sample_problem() -> Problem:
    horizon = build_horizon(
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 31),
        extra_days=[dt.date(2026, 9, 22)],
        excluded_days=[dt.date(2026, 10, 3)],
        festivals=[(dt.date(2026, 9, 25), "中秋节")],
    )
    return Problem(
        horizon=horizon,
        departments=(Department("机电学院", (NeedCategory.REPAIR_APPLIANCE,)), Department("A社区")),
        skills=("家电维修", "理发"),
        volunteers=(
            Volunteer(
                "V1",
                "张三",
                Role.TEACHER,
                Membership.PARTY,
                "机电学院",
                (Skill("家电维修", 3), Skill("理发")),
                ("普通话", "壮语"),
                Gender.MALE,
                3,
                470,
                "13800138000",
                "北区",
            ),
            Volunteer("007", "李四", Role.RESIDENT, Membership.NONE, "A社区"),
        ),
        households=(
            Household(
                "H1",
                "3栋101",
                HouseholdCategory.ELDERLY_ALONE,
                "北区",
                ("柳州话",),
                Gender.FEMALE,
                "耳背",
                "199-0000-0101",
            ),
        ),
        needs=(
            Need(
                "N1",
                "修电视",
                NeedCategory.REPAIR_APPLIANCE,
                90,
                dt.date(2026, 10, 1),
                540,
                720,
                "H1",
                "3栋",
                "北区",
                (Skill("家电维修", 2),),
                ("机电学院",),
                1,
                2,
                5,
                True,
                ("机电学院",),
                Gender.MALE,
                ("柳州话",),
                True,
            ),
            Need("N2", "微心愿", NeedCategory.MICRO_WISH, 0),
            Need("N3", "晚会", NeedCategory.CULTURE, 120, dt.date(2026, 10, 4), 1200, 1440),
        ),
        availability=(
            AvailabilityWindow("V1", 480, 1440, weekday=6),
            AvailabilityWindow("007", 540, 600, date=dt.date(2026, 10, 1)),
        ),
        blackouts=(Blackout("V1", dt.date(2026, 10, 2)),),
        pairs=(
            Pair("V1", household_id="H1", affinity=-2, forbidden=True, extra_minutes=15),
            Pair("007", need_id="N1", affinity=3),
        ),
        pins=(Pin("V1", "N1", 570), Pin("007", "N2")),
        history=(
            HistoryEntry("V1", dt.date(2025, 10, 1), 90, False, "old", "H1", NeedCategory.HAIRCUT),
            HistoryEntry("007", dt.date(2025, 10, 2), 20),
        ),
        travel=(Travel("3栋", "北区", 5),),
    )


# --- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_round_trip(tmp_path: Path, target: str) -> None:
    problem = sample_problem()
    write_dataset(problem, tmp_path / target)
    loaded = load_dataset(tmp_path / target)
    assert loaded == problem.replace(name=Path(target).stem)
    assert [p.name for p in tmp_path.iterdir()] == [target]  # no temp files left


def test_round_trip_without_optional_sheets(tmp_path: Path) -> None:
    sample = sample_problem()
    # one change: a replaced problem is checked, and needs may not point at removed households
    problem = sample.replace(
        households=(),
        pairs=(),
        pins=(),
        history=(),
        travel=(),
        skills=(),
        needs=tuple(n for n in sample.needs if n.household_id is None),
    )
    write_dataset(problem, tmp_path / "ds")
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == [
        "availability.csv",
        "departments.csv",
        "horizon.csv",
        "needs.csv",
        "volunteers.csv",
    ]
    assert load_dataset(tmp_path / "ds") == problem.replace(name="ds")


def test_write_into_existing_folder_replaces_stale_sheets(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds")
    (folder / "notes.txt").write_text("keep me")
    (folder / "志愿者.csv").write_text("old")
    problem = sample_problem().replace(pins=())
    write_dataset(problem, folder)
    names = {p.name for p in folder.iterdir()}
    assert "notes.txt" in names and "pins.csv" not in names and "志愿者.csv" not in names
    assert load_dataset(folder) == problem.replace(name="ds")


def test_csv_has_bom_and_english_headers(tmp_path: Path) -> None:
    write_dataset(sample_problem(), tmp_path / "ds")
    data = (tmp_path / "ds" / "volunteers.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,role,")


def test_base_dataset_loads(tmp_path: Path) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds"))
    assert problem.name == "ds"
    v1 = problem.volunteer("V1")
    assert v1.max_minutes == 390 and v1.skills == (Skill("家电维修", 2),)
    assert problem.volunteer("V2").max_minutes == 480 and problem.volunteer("V2").max_shifts == 2
    n1, n2 = problem.needs
    assert n1.area == "北区" and n1.is_flexible and n1.max_volunteers == 2
    assert (n2.duration, n2.min_volunteers, n2.max_volunteers, n2.priority) == (60, 1, 1, 3)
    assert problem.blackouts == (Blackout("V2", dt.date(2026, 10, 2)),)
    assert problem.pins == (Pin("V1", "N1", 600),)
    assert problem.horizon.festival_name(dt.date(2026, 9, 25)) == "中秋节"


# --- headers, names and encodings --------------------------------------------------------


def test_chinese_headers_and_file_names(tmp_path: Path) -> None:
    folder = make_dataset(
        tmp_path / "ds",
        {
            "volunteers.csv": None,
            "志愿者.csv": (
                " 编号 ,姓名,身份,政治面貌,学院,技能,最多小时,备忘\n"
                "V1,张三,教师,中共党员,机电学院,家电维修（2）,6.5,自己的备注\n"
                ",,,,,,,\n"
                "V2,李四,居民,群众,A社区,,,\n"
            ),
            "availability.csv": None,
            "时间.csv": (
                "志愿者编号,日期,星期,开始,结束,类型\n"
                "V1,,周六,9点,17:00,可以\n"
                "V2,2026年10月1日,,0800,12点,\n"
                "V2,2026/10/02,,,,不可以\n"
            ),
        },
    )
    problem = load_dataset(folder)
    assert problem == load_dataset(make_dataset(tmp_path / "plain")).replace(name="ds")


def test_gbk_encoded_file(tmp_path: Path) -> None:
    text = BASE["volunteers"].replace("张三", "张三丰")
    problem = load_dataset(make_dataset(tmp_path / "ds", {"volunteers.csv": text.encode("gbk")}))
    assert problem.volunteer("V1").name == "张三丰"


def test_utf8_bom(tmp_path: Path) -> None:
    data = BASE["volunteers"].encode("utf-8-sig")
    problem = load_dataset(make_dataset(tmp_path / "ds", {"volunteers.csv": data}))
    assert [v.id for v in problem.volunteers] == ["V1", "V2"]


def test_xlsx_with_chinese_sheets_and_excel_cells(tmp_path: Path) -> None:
    write_dataset(sample_problem(), tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    book["volunteers"].title = "志愿者"
    sheet = book["availability"]
    sheet["B3"] = dt.datetime(2026, 10, 1)  # the dated window of 007, as Excel date/time cells
    sheet["D3"] = dt.time(9, 0)
    sheet["E3"] = dt.time(10, 0)
    book.save(tmp_path / "book.xlsx")
    assert load_dataset(tmp_path / "book.xlsx") == sample_problem().replace(name="book")


# --- cell parsers ----------------------------------------------------------------------


def test_cell_parsers() -> None:
    assert {
        parse_date(t)
        for t in (
            "2026-10-24",
            "2026/10/24",
            "2026.10.24",
            "2026年10月24日",
            "2026-10-24 00:00:00",
            dt.datetime(2026, 10, 24),
        )
    } == {dt.date(2026, 10, 24)}
    assert [
        parse_time(t)
        for t in (
            "09:00",
            "9:00",
            "0900",
            "9点",
            "9:00:00",
            dt.time(9, 0),
            "9点30",
            "9点半",
            "下午3点",
        )
    ] == [540] * 6 + [570, 570, 900]
    assert parse_time("24:00", end=True) == 1440
    for bad in ("24:00", "9:75", "25点", "nine"):
        with pytest.raises(ValueError, match="expected a time"):
            parse_time(bad)
    assert [parse_weekday(t) for t in ("6", "周六", "星期天", "周日", "Sat", "saturday")] == [
        6,
        6,
        7,
        7,
        6,
        6,
    ]
    assert [parse_bool(t) for t in ("yes", "是", "√", "1", "", "否", "×", "n")] == [True] * 4 + [
        False
    ] * 4
    assert parse_skills("家电维修:3；理发、电脑（2）,  水电(1)") == (
        Skill("家电维修", 3),
        Skill("理发"),
        Skill("电脑", 2),
        Skill("水电"),
    )
    assert parse_category("四点半课堂") == NeedCategory.TUTORING
    assert parse_category("Repair_Appliance") == NeedCategory.REPAIR_APPLIANCE


# --- bad input: structure ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, {"needs.csv": None})
    assert "needs.csv" in str(error) and "需求.csv" in str(error)
    assert str(tmp_path / "ds") in str(error)


def test_missing_sheet_in_xlsx(tmp_path: Path) -> None:
    write_dataset(sample_problem(), tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    del book["needs"]
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(DataError, match=r"book\.xlsx.*missing required sheet.*needs \(需求\)"):
        load_dataset(tmp_path / "book.xlsx")


def test_missing_column(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("volunteers", "membership,", "politics,"))
    assert_issue(
        error, "volunteers.csv", 1, "membership", "missing required column", "membership, 政治面貌"
    )


def test_duplicate_column(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("volunteers", "name,role", "name,姓名,role"))
    assert_issue(error, "volunteers.csv", 1, "姓名", "appears twice")


def test_empty_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, {"needs.csv": b""})
    assert_issue(error, "needs.csv", None, None, "empty")


def test_neither_utf8_nor_gbk(tmp_path: Path) -> None:
    data = b"id,name\n\xff\xfe\x00\xd8\x80\n"
    for encoding in ("utf-8-sig", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    error = load_error(tmp_path, {"volunteers.csv": data})
    assert_issue(error, "volunteers.csv", None, None, "not UTF-8 or GBK")


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such"):
        load_dataset(tmp_path / "nothing")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataError, match=r"folder of CSV files or an \.xlsx"):
        load_dataset(tmp_path / "x.txt")


# --- bad input: rows ---------------------------------------------------------------------


def test_duplicate_ids(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("volunteers", "V2,李四", "V1,李四"))
    assert_issue(error, "volunteers.csv", 3, "id", "'V1' again", "first on row 2")


def test_unknown_volunteer_in_availability(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("availability", "V1,,6", "V9,,6"))
    assert_issue(error, "availability.csv", 2, "volunteer_id", "unknown 'V9'", "volunteers")


def test_unknown_household_in_needs(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("needs", "repair-appliance,H1,", "repair-appliance,H7,"))
    assert_issue(error, "needs.csv", 2, "household_id", "unknown 'H7'", "households")


def test_unknown_need_in_pins(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("pins", "V1,N1", "V1,N9"))
    assert_issue(error, "pins.csv", 2, "need_id", "unknown 'N9'")


def test_unknown_joint_department(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("needs", ",,机电学院\n", ",,机电学院;外语学院\n"))
    assert_issue(error, "needs.csv", 2, "joint_departments", "unknown '外语学院'", "departments")


def test_unknown_skill_with_skills_sheet(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        {"skills.csv": "name\n家电维修\n", **replaced("needs", "家电维修,,", "家电维修;理 发,,")},
    )
    assert_issue(error, "needs.csv", 2, "skills", "unknown '理 发'")
    # without a skills sheet any name is accepted
    load_dataset(make_dataset(tmp_path / "ok", replaced("needs", "家电维修,,", "家电维修;理 发,,")))


def test_bad_date(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("availability", "2026-10-01", "2026-13-01"))
    assert_issue(error, "availability.csv", 3, "date", "expected a date", "'2026-13-01'")


def test_bad_time(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("needs", "09:00,12:00", "9:75,12:00"))
    assert_issue(error, "needs.csv", 2, "start", "expected a time", "'9:75'")


def test_end_before_start(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("availability", "8:00,12:00", "12:00,8:00"))
    assert_issue(error, "availability.csv", 3, "end", "after the start 12:00", "found 08:00")


def test_horizon_end_before_start(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("horizon", "2026-10-31", "2026-09-01"))
    assert_issue(error, "horizon.csv", 2, "end", "on or after the start")


def test_min_greater_than_max(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("needs", "60,1,2,5", "60,3,2,5"))
    assert_issue(error, "needs.csv", 2, "max_volunteers", "at least min_volunteers 3", "found 2")


def test_negative_max_hours(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("volunteers", "6.5", "-1"))
    assert_issue(error, "volunteers.csv", 2, "max_hours", ">= 0", "'-1'")


def test_priority_out_of_range(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("needs", "60,1,2,5", "60,1,2,6"))
    assert_issue(error, "needs.csv", 2, "priority", "from 1 to 5", "'6'")


def test_bad_enum(tmp_path: Path) -> None:
    error = load_error(tmp_path, replaced("volunteers", "teacher,party", "professor,party"))
    assert_issue(error, "volunteers.csv", 2, "role", "teacher (教师", "'professor'")


def test_bad_enum_chinese_header(tmp_path: Path) -> None:
    text = BASE["volunteers"].replace("role,", "身份,").replace("teacher,", "教授,")
    error = load_error(tmp_path, {"volunteers.csv": text})
    assert_issue(error, "volunteers.csv", 2, "身份 (role)", "'教授'")


def test_need_timing_errors(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        {
            "needs.csv": BASE["needs"]
            + (
                "N3,a,other,,2026-12-01,09:00,10:00,,,,,,,\n"  # outside the horizon
                "N4,b,other,,2026-10-01,09:00,10:00,90,,,,,,\n"  # duration longer than the window
                "N5,c,other,,,09:00,,,,,,,,\n"  # time without a date
                "N6,d,other,,,,,-5,,,,,,\n"  # negative duration
            )
        },
    )
    assert_issue(error, "needs.csv", 4, "date", "inside the horizon")
    assert_issue(error, "needs.csv", 5, "duration_minutes", "at most the 60 minutes")
    assert_issue(error, "needs.csv", 6, "start", "expected no time")
    assert_issue(error, "needs.csv", 7, "duration_minutes", ">= 0")


def test_pin_start_checks(tmp_path: Path) -> None:
    pins = "volunteer_id,need_id,start\nV1,N1,11:30\nV2,N2,9:00\n"
    error = load_error(tmp_path, {"pins.csv": pins})
    assert_issue(error, "pins.csv", 2, "start", "from 09:00 to 11:00")
    assert_issue(error, "pins.csv", 3, "start", "not flexible")


def test_pairs_and_availability_one_of(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        {
            "pairs.csv": "volunteer_id,need_id,household_id\nV1,,\nV1,N1,H1\n",
            **replaced("availability", "V1,,6,", "V1,2026-10-03,6,"),
        },
    )
    assert_issue(error, "pairs.csv", 2, "need_id", "exactly one", "neither")
    assert_issue(error, "pairs.csv", 3, "need_id", "exactly one", "both")
    assert_issue(error, "availability.csv", 2, "date", "exactly one", "both")


def test_all_issues_collected(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        {
            **replaced("volunteers", "6.5", "-1"),
            **replaced("pins", "V1,N1", "V1,N9"),
        },
    )
    files = {issue.file for issue in error.issues}
    assert files == {"volunteers.csv", "pins.csv"}


def test_blank_rows_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    error = load_error(tmp_path, {"pins.csv": "volunteer_id,need_id\n\n,\nV1,N9\n"})
    assert_issue(error, "pins.csv", 4, "need_id", "unknown 'N9'")


# --- template and roster -----------------------------------------------------------------


def test_template(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["说明", *(spec.zh for spec in SHEETS.values())]
    assert book["志愿者"]["B1"].value == "姓名"
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path / "t.xlsx")
    assert_issue(info.value, "t.xlsx, sheet 规划期", 2, None, "found no rows")


def test_read_roster_csv_and_xlsx(tmp_path: Path) -> None:
    rows = [
        ["N1", "修电视", "V1", "张三", "机电学院", "2026-10-01", "09:30", "10:30", "lead"],
        ["N2", "微心愿", "V2", "李四", "A社区", "", "", "", "队员"],
    ]
    expected = [
        Assignment("N1", "V1", dt.date(2026, 10, 1), 570, 630, AssignmentRole.LEAD),
        Assignment("N2", "V2", None, None, None, AssignmentRole.MEMBER),
    ]
    csv = tmp_path / "roster.csv"
    csv.write_text(
        "\n".join(",".join(r) for r in [list(ROSTER_COLUMNS), *rows]), encoding="utf-8-sig"
    )
    assert read_roster(csv) == expected
    book = openpyxl.Workbook()
    sheet = book.active
    for r in [list(ROSTER_COLUMNS_ZH), *rows]:
        sheet.append(r)
    book.save(tmp_path / "roster.xlsx")
    assert read_roster(tmp_path / "roster.xlsx") == expected


def test_read_roster_bad_rows(tmp_path: Path) -> None:
    csv = tmp_path / "roster.csv"
    csv.write_text(
        "need_id,volunteer_id,date,start,end,role\nN1,V1,2026-10-01,09:30,,boss\n,V2,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        read_roster(csv)
    assert_issue(info.value, "roster.csv", 2, "role", "lead (带队)", "'boss'")
    assert_issue(info.value, "roster.csv", 2, "date", "all given")
    assert_issue(info.value, "roster.csv", 3, "need_id", "empty cell")


def test_empty_skills_sheet_does_not_restrict(tmp_path: Path) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds", {"skills.csv": "name\n"}))
    assert problem.skills == () and problem.volunteer("V1").skills


def test_issue_count_is_capped(tmp_path: Path) -> None:
    pins = "volunteer_id,need_id\n" + "".join(f"V1,X{i}\n" for i in range(70))
    error = load_error(tmp_path, {"pins.csv": pins})
    assert len(error.issues) == 51 and "20 more issues" in error.issues[-1].message


def test_failed_write_leaves_target_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("matcher.io.spreadsheet.autofit", boom)
    with pytest.raises(RuntimeError):
        write_dataset(sample_problem(), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_one_skill_with_two_levels_is_an_error() -> None:
    from matcher.io import parse_skills

    assert parse_skills("家电维修:2；家电维修：2") == (Skill("家电维修", 2),)
    with pytest.raises(ValueError, match="家电维修 with levels 1 and 3"):
        parse_skills("家电维修:1;家电维修:3")


# --- max_travel (a volunteer serves only near home) ------------------------------------


def with_homes(header: str, v1: str, v2: str = "") -> dict[str, str | bytes | None]:
    """BASE volunteers with home areas and a travel-limit column under ``header``."""
    return {
        "volunteers.csv": (
            f"id,name,role,membership,department,home_area,{header}\n"
            f"V1,张三,teacher,party,机电学院,北区,{v1}\n"
            f"V2,李四,resident,none,A社区,南区,{v2}\n"
        )
    }


@pytest.mark.parametrize("header", ["max_travel", "最远路程（分钟）", "最远路程(分钟)", "服务半径"])
def test_max_travel_column_and_its_chinese_headers(tmp_path: Path, header: str) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds", with_homes(header, "15")))
    assert problem.volunteer("V1").max_travel == 15
    assert problem.volunteer("V2").max_travel is None  # empty: no limit


@pytest.mark.parametrize(
    ("value", "words"),
    [("-5", ("whole number >= 0", "-5")), ("远", ("whole number", "'远'")), ("7.5", ("7.5",))],
)
def test_bad_max_travel_names_row_and_column(tmp_path: Path, value: str, words: tuple) -> None:
    error = load_error(tmp_path, with_homes("max_travel", "0", value))
    assert_issue(error, "volunteers.csv", 3, "max_travel", *words)


def test_bad_max_travel_under_chinese_header_names_both(tmp_path: Path) -> None:
    error = load_error(tmp_path, with_homes("服务半径", "-1"))
    assert_issue(error, "volunteers.csv", 2, "服务半径 (max_travel)", ">= 0")


def test_max_travel_needs_a_home_area(tmp_path: Path) -> None:
    changes = {
        "volunteers.csv": (
            "id,name,role,membership,department,max_travel\nV1,张三,teacher,party,机电学院,20\n"
        )
    }
    error = load_error(tmp_path, changes)
    assert_issue(error, "volunteers.csv", 2, "max_travel", "home_area", "empty")


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_max_travel_round_trip(tmp_path: Path, target: str) -> None:
    problem = sample_problem()
    v1 = dataclasses.replace(problem.volunteers[0], max_travel=0)
    problem = problem.replace(volunteers=(v1, *problem.volunteers[1:]))
    write_dataset(problem, tmp_path / target)
    assert load_dataset(tmp_path / target) == problem.replace(name=Path(target).stem)


def test_template_documents_max_travel(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    headers = [cell.value for cell in book["志愿者"][1]]
    assert "最远路程（分钟）" in headers
    notes = [row for row in book["说明"].iter_rows(values_only=True) if row[1] == "max_travel"]
    assert notes and "服务半径" in notes[0][2]
