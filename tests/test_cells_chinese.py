"""Values a community worker types in her own workbook (issue 10, "Chinese first"): accepted."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from matcher.domain import Gender, Membership, Problem, Role, format_minutes
from matcher.errors import DataError
from matcher.io import (
    MAX_ISSUES,
    SHEETS,
    load_dataset,
    load_dataset_with_warnings,
    parse_bool,
    parse_date,
    parse_gender,
    parse_membership,
    parse_role,
    parse_time,
    write_dataset,
    write_template,
)
from matcher.io.cells import (
    NO_WORDS,
    WHOLE_DAY_WORDS,
    WHOLE_SERVICE_DAY,
    YES_WORDS,
    parse_time_or_range,
    parse_time_range,
)
from tests.test_io import BASE, assert_issue, make_dataset

SAMPLE_FOR_HISTORY = Path(__file__).resolve().parents[1] / "datasets" / "community_a"

YES = ("是", "需要", "有", "√", "✓", "要", "Y", "yes", "YES", "true", "True", "1")
NO = ("否", "不需要", "无", "×", "✗", "不要", "N", "no", "false", "FALSE", "0", "")


@pytest.mark.parametrize("word", YES)
def test_yes_words(word: str) -> None:
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", NO)
def test_no_words(word: str) -> None:
    assert parse_bool(word) is False


def test_yes_and_no_words_do_not_overlap() -> None:
    assert not {w.casefold() for w in YES_WORDS} & {w.casefold() for w in NO_WORDS}


def test_a_yes_no_cell_that_is_neither_names_the_words() -> None:
    with pytest.raises(ValueError, match="需要/不需要"):
        parse_bool("也许")


@pytest.mark.parametrize(
    ("yes", "no"), [("需要", "不需要"), ("要", "不要"), ("✓", "✗"), ("Y", "N"), ("有", "无")]
)
def test_yes_no_words_in_every_flag_column(tmp_path: Path, yes: str, no: str) -> None:
    needs = (
        BASE["needs"]
        .replace("joint_departments\n", "joint_departments,lead_required,must_cover\n")
        .replace(",机电学院\n", f",机电学院,{yes},{no}\n")
        .replace("micro-wish,,,,,,,,,,,\n", f"micro-wish,,,,,,,,,,,,{no},{yes}\n")
    )
    pairs = f"volunteer_id,need_id,forbidden\nV2,N1,{yes}\nV1,N2,{no}\n"
    history = f"volunteer_id,date,attended\nV1,2026-09-01,{no}\nV2,2026-09-02,{yes}\n"
    problem = load_dataset(
        make_dataset(
            tmp_path / "ds",
            {"needs.csv": needs, "pairs.csv": pairs, "history.csv": history},
        )
    )
    first, second = problem.needs
    assert (first.lead_required, first.must_cover) == (True, False)
    assert (second.lead_required, second.must_cover) == (False, True)
    assert [p.forbidden for p in problem.pairs] == [True, False]
    assert [h.attended for h in problem.history] == [False, True]


@pytest.mark.parametrize("word", ["共产党员", "中共党员", "党员", "party"])
def test_party_member(word: str) -> None:
    assert parse_membership(word) == Membership.PARTY


@pytest.mark.parametrize(
    ("word", "membership"),
    [
        ("预备党员", Membership.PROBATIONARY),
        ("中共预备党员", Membership.PROBATIONARY),
        ("入党积极分子", Membership.ACTIVIST),
        ("共青团员", Membership.LEAGUE),
        ("团员", Membership.LEAGUE),
        ("群众", Membership.NONE),
    ],
)
def test_other_memberships(word: str, membership: Membership) -> None:
    assert parse_membership(word) == membership


def test_a_counsellor_is_a_teacher() -> None:
    # so a counsellor can be the lead a lead_required need asks for
    assert parse_role("辅导员") == Role.TEACHER


@pytest.mark.parametrize(
    ("word", "gender"),
    [
        *((w, Gender.FEMALE) for w in ("女", "女生", "女性", "F", "f", "female")),
        *((w, Gender.MALE) for w in ("男", "男生", "男性", "M", "m", "male")),
    ],
)
def test_gender_words(word: str, gender: Gender) -> None:
    assert parse_gender(word) == gender


def test_chinese_words_in_the_volunteers_sheet(tmp_path: Path) -> None:
    volunteers = (
        "编号,姓名,身份,政治面貌,学院,性别\n"
        "V1,张三,辅导员,共产党员,机电学院,女生\n"
        "V2,李四,居民,群众,A社区,M\n"
    )
    problem = load_dataset(make_dataset(tmp_path / "ds", {"volunteers.csv": volunteers}))
    first, second = problem.volunteers
    assert (first.role, first.membership, first.gender) == (
        Role.TEACHER,
        Membership.PARTY,
        Gender.FEMALE,
    )
    assert (second.role, second.membership, second.gender) == (
        Role.RESIDENT,
        Membership.NONE,
        Gender.MALE,
    )


# --- a household's contact phone ---------------------------------------------------------


@pytest.mark.parametrize("header", ["phone", "联系电话", "电话", "手机", "手机号码"])
def test_household_phone_under_each_header(tmp_path: Path, header: str) -> None:
    households = f"编号,地址,类别,{header}\nH1,3栋101,独居老人,199-0000-0102\n"
    problem = load_dataset(make_dataset(tmp_path / "ds", {"households.csv": households}))
    assert problem.households[0].phone == "199-0000-0102"


def test_household_phone_is_optional(tmp_path: Path) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds"))
    assert problem.households[0].phone == ""


def test_volunteer_and_household_phones_share_their_headers() -> None:
    assert SHEETS["volunteers"].columns["phone"].zh == SHEETS["households"].columns["phone"].zh


def test_template_has_a_household_phone_column_kept_as_text(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["住户"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["编号", "地址", "电话"]
    assert sheet.column_dimensions["C"].number_format == "@"  # keeps 199... as typed


# --- dates without a year ----------------------------------------------------------------

AUTUMN = (dt.date(2026, 9, 20), dt.date(2026, 10, 31))
WINTER = (dt.date(2026, 12, 1), dt.date(2027, 2, 28))  # across a new year


@pytest.mark.parametrize("text", ["10月18日", "10月18号", "10月18", " 10 月 18 日 "])
def test_date_without_year_takes_the_horizons_year(text: str) -> None:
    assert parse_date(text, within=AUTUMN) == dt.date(2026, 10, 18)


def test_date_without_year_outside_a_one_year_horizon_still_takes_its_year() -> None:
    # the rules then report it as outside the horizon, like any other date
    assert parse_date("12月18日", within=AUTUMN) == dt.date(2026, 12, 18)


def test_date_without_year_across_a_new_year_is_the_one_inside() -> None:
    assert parse_date("12月5日", within=WINTER) == dt.date(2026, 12, 5)
    assert parse_date("1月5日", within=WINTER) == dt.date(2027, 1, 5)


def test_date_without_year_inside_in_neither_year_names_both() -> None:
    with pytest.raises(ValueError, match="2026-11-05 or 2027-11-05"):
        parse_date("11月5日", within=WINTER)


def test_february_29_without_year_exists_in_the_leap_year_only() -> None:
    leap = (dt.date(2027, 12, 1), dt.date(2028, 3, 31))
    assert parse_date("2月29日", within=leap) == dt.date(2028, 2, 29)
    with pytest.raises(ValueError, match="expected a date"):
        parse_date("2月29日", within=AUTUMN)


def test_date_without_year_needs_a_horizon() -> None:
    with pytest.raises(ValueError, match="with its year"):
        parse_date("10月18日")


@pytest.mark.parametrize("text", ["2026年10月18日", "2026/10/18", "2026-10-18", "2026年10月18号"])
def test_dates_with_a_year_still_work(text: str) -> None:
    assert parse_date(text) == parse_date(text, within=WINTER) == dt.date(2026, 10, 18)


@pytest.mark.parametrize("text", ["13月1日", "10月32日", "0月1日"])
def test_impossible_dates_without_year(text: str) -> None:
    with pytest.raises(ValueError, match="expected a date"):
        parse_date(text, within=AUTUMN)


def test_dates_without_year_in_every_sheet(tmp_path: Path) -> None:
    changes: dict[str, str | bytes | None] = {
        "horizon.csv": (
            "start,end,extra_days,festivals\n2026-09-20,2026-10-31,9月22日,9月25日:中秋节\n"
        ),
        "needs.csv": BASE["needs"].replace("2026-10-01", "10月1日"),
        "availability.csv": BASE["availability"].replace("2026-10-01", "10月1日"),
        "history.csv": "volunteer_id,date\nV1,9月1日\n",
    }
    problem = load_dataset(make_dataset(tmp_path / "ds", changes))
    assert dt.date(2026, 9, 22) in problem.horizon.service_days
    assert problem.horizon.festivals == ((dt.date(2026, 9, 25), "中秋节"),)
    assert problem.needs[0].date == dt.date(2026, 10, 1)
    assert any(w.date == dt.date(2026, 10, 1) for w in problem.availability)
    assert problem.history[0].date == dt.date(2026, 9, 1)


def test_the_horizon_itself_needs_its_year(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(
            make_dataset(tmp_path / "ds", {"horizon.csv": "start,end\n9月20日,2026-10-31\n"})
        )
    assert_issue(info.value, "horizon.csv", 2, "start", "with its year")


def test_date_without_year_that_fits_neither_year_is_an_issue_on_its_cell(tmp_path: Path) -> None:
    changes: dict[str, str | bytes | None] = {
        "horizon.csv": "start,end\n2026-12-01,2027-02-28\n",
        "availability.csv": "volunteer_id,date,start,end\nV1,11月5日,09:00,12:00\n",
        "needs.csv": "id,title,category\nN1,微心愿,micro-wish\n",
        "pins.csv": None,
    }
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", changes))
    assert_issue(info.value, "availability.csv", 2, "date", "2026-11-05 or 2027-11-05")


# --- a time range in one cell ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["14:00-16:00", "14:00～16:00", "14:00~16:00", "14:00至16:00", "14:00 到 16:00", "下午2点-4点"],
)
def test_time_range_in_one_cell(text: str) -> None:
    assert parse_time_range(text) == (14 * 60, 16 * 60)
    assert parse_time_or_range(text) == (14 * 60, 16 * 60)


def test_a_part_of_the_day_holds_for_both_times_unless_the_second_has_its_own() -> None:
    assert parse_time_range("上午9点-11点半") == (9 * 60, 11 * 60 + 30)
    assert parse_time_range("上午10点-下午2点") == (10 * 60, 14 * 60)
    assert parse_time_range("晚上7点-9点") == (19 * 60, 21 * 60)


def test_noon_hours() -> None:
    assert parse_time("中午1点") == 13 * 60
    assert parse_time("中午12点") == 12 * 60
    assert parse_time_range("中午12点-2点") == (12 * 60, 14 * 60)


def test_whole_day_is_the_named_service_day() -> None:
    assert WHOLE_SERVICE_DAY == (8 * 60, 18 * 60)
    assert parse_time_range("全天") == WHOLE_SERVICE_DAY
    assert parse_time_or_range("全天") == WHOLE_SERVICE_DAY


def test_one_time_is_not_a_range() -> None:
    assert parse_time_or_range("14:00") == (14 * 60, None)


@pytest.mark.parametrize("text", ["14:00-", "-16:00", "14:00-16:00-18:00", "下午", "25:00-26:00"])
def test_bad_time_ranges(text: str) -> None:
    with pytest.raises(ValueError, match="expected a time"):
        parse_time_or_range(text)


def test_whole_day_is_documented_with_its_hours() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "data-format.md").read_text("utf-8")
    start, end = (format_minutes(m) for m in WHOLE_SERVICE_DAY)
    flat = " ".join(doc.split())
    assert f"is the whole service day, {start} to {end}" in flat
    assert all(f"`{word}`" in flat for word in WHOLE_DAY_WORDS)


def test_time_ranges_in_needs_and_availability(tmp_path: Path) -> None:
    needs = (
        "id,title,category,date,start,end\n"
        "N1,修电视,repair-appliance,2026-10-01,下午2点-4点,\n"
        "N2,大扫除,clean-up,2026-10-01,全天,\n"
        "N3,宣讲,publicity,2026-10-01,9:00,10:00\n"
    )
    availability = (
        "志愿者编号,日期,开始时间,结束时间\n"
        "V1,2026-10-01,14:00～16:00,\n"
        "V2,2026-10-01,全天,\n"
        "V2,2026-10-02,08:00至12:00,\n"
    )
    changes: dict[str, str | bytes | None] = {
        "needs.csv": needs,
        "availability.csv": availability,
        "pins.csv": None,
    }
    problem = load_dataset(make_dataset(tmp_path / "ds", changes))
    assert [(n.start, n.end, n.duration) for n in problem.needs] == [
        (840, 960, 120),
        (480, 1080, 600),
        (540, 600, 60),
    ]
    assert [(w.volunteer_id, w.start, w.end) for w in problem.availability] == [
        ("V1", 840, 960),
        ("V2", 480, 1080),
        ("V2", 480, 720),
    ]


def test_a_range_with_the_end_filled_in_is_an_issue(tmp_path: Path) -> None:
    availability = "volunteer_id,date,start,end\nV1,2026-10-01,14:00-16:00,16:00\n"
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", {"availability.csv": availability}))
    assert_issue(info.value, "availability.csv", 2, "start", "expected a time", "14:00-16:00")


def test_one_start_time_without_end_is_still_missing_its_end(tmp_path: Path) -> None:
    availability = "volunteer_id,date,start,end\nV1,2026-10-01,14:00,\n"
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", {"availability.csv": availability}))
    assert_issue(info.value, "availability.csv", 2, "end", "expected a value")


# --- a title row above the headers, and what the format does not know --------------------


def _load_with_warnings(
    tmp_path: Path, changes: dict[str, str | bytes | None]
) -> tuple[Problem, list[str]]:
    problem, warnings = load_dataset_with_warnings(make_dataset(tmp_path / "ds", changes))
    return problem, [str(w) for w in warnings]


def test_a_clean_dataset_has_no_warnings(tmp_path: Path) -> None:
    assert _load_with_warnings(tmp_path, {})[1] == []
    sample = Path(__file__).resolve().parents[1] / "datasets" / "community_a"
    assert load_dataset_with_warnings(sample)[1] == []


def test_title_row_above_the_headers(tmp_path: Path) -> None:
    volunteers = "社区A志愿者名单,,,,,,\n" + BASE["volunteers"]
    problem, warnings = _load_with_warnings(tmp_path, {"volunteers.csv": volunteers})
    assert [v.id for v in problem.volunteers] == ["V1", "V2"]
    assert warnings == ["volunteers.csv: headers found on row 2; row 1 (社区A志愿者名单) ignored"]


def test_blank_rows_and_a_title_above_the_headers(tmp_path: Path) -> None:
    needs = ",,,\n2026年秋季需求清单,,制表：社区居委会,\n,,,\n" + BASE["needs"]
    problem, warnings = _load_with_warnings(tmp_path, {"needs.csv": needs})
    assert len(problem.needs) == 2
    assert warnings == [
        "needs.csv: headers found on row 4; row 2 (2026年秋季需求清单 制表：社区居委会) ignored"
    ]


def test_only_blank_rows_above_the_headers(tmp_path: Path) -> None:
    pins = "\n,\n" + BASE["pins"]
    _, warnings = _load_with_warnings(tmp_path, {"pins.csv": pins})
    assert warnings == ["pins.csv: headers found on row 3; the rows above it are blank"]


def test_rows_below_a_title_keep_the_spreadsheets_numbers(tmp_path: Path) -> None:
    pins = "固定安排表,\nvolunteer_id,need_id\nV1,N9\n"
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", {"pins.csv": pins}))
    assert_issue(info.value, "pins.csv", 3, "need_id", "unknown 'N9'")


def test_missing_column_is_reported_on_the_header_row_below_a_title(tmp_path: Path) -> None:
    pins = "固定安排表,\nvolunteer_id,start\nV1,10:00\n"
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", {"pins.csv": pins}))
    assert_issue(info.value, "pins.csv", 2, "need_id", "missing required column")


def test_title_row_in_a_workbook(tmp_path: Path) -> None:
    write_dataset(load_dataset(make_dataset(tmp_path / "ds")), tmp_path / "d.xlsx")
    book = openpyxl.load_workbook(tmp_path / "d.xlsx")
    book["volunteers"].insert_rows(1, 2)
    book["volunteers"]["A1"] = "社区A志愿者名单"
    book.save(tmp_path / "d.xlsx")
    problem, warnings = load_dataset_with_warnings(tmp_path / "d.xlsx")
    assert len(problem.volunteers) == 2
    assert [str(w) for w in warnings] == [
        "d.xlsx, sheet volunteers: headers found on row 3; row 1 (社区A志愿者名单) ignored"
    ]


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    households = "编号,地址,类别,户主姓名\nH1,3栋101,独居老人,王某\n"
    problem, warnings = load_dataset_with_warnings(
        make_dataset(tmp_path / "ds", {"households.csv": households})
    )
    assert problem.households[0].id == "H1"
    assert [(w.file, w.row, w.column) for w in warnings] == [("households.csv", None, "户主姓名")]
    assert str(warnings[0]) == (
        "households.csv, column 户主姓名: not part of the format and was ignored"
    )


def test_a_column_without_header_but_with_cells_is_a_warning(tmp_path: Path) -> None:
    households = "id,address,category,\nH1,3栋101,独居老人,腿脚不便\n"
    blank = "id,address,category,\nH1,3栋101,独居老人,\n"
    _, warnings = _load_with_warnings(tmp_path, {"households.csv": households})
    assert warnings == ["households.csv, column D: has cells but no header and was ignored"]
    assert _load_with_warnings(tmp_path / "b", {"households.csv": blank})[1] == []


def test_unknown_files_and_sheets_are_warnings(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", {"volunter.csv": "id\n1\n"})
    (folder / "README.txt").write_text("notes")
    assert [str(w) for w in load_dataset_with_warnings(folder)[1]] == [
        "volunter.csv: not a file of the format; it was not read"
    ]
    write_dataset(load_dataset(folder), tmp_path / "d.xlsx")
    book = openpyxl.load_workbook(tmp_path / "d.xlsx")
    book.create_sheet("说明")
    book.create_sheet("Sheet1")
    book.save(tmp_path / "d.xlsx")
    assert [str(w) for w in load_dataset_with_warnings(tmp_path / "d.xlsx")[1]] == [
        "d.xlsx, sheet Sheet1: not a sheet of the format; it was not read"
    ]


def test_warnings_are_capped(tmp_path: Path) -> None:
    header = ",".join(f"备注{i}" for i in range(MAX_ISSUES + 5))
    households = f"id,address,category,{header}\nH1,3栋101,独居老人" + "," * (MAX_ISSUES + 5) + "\n"
    _, warnings = _load_with_warnings(tmp_path, {"households.csv": households})
    assert len(warnings) == MAX_ISSUES + 1
    assert warnings[-1] == "dataset: ... and 5 more"


def test_warnings_do_not_hide_errors(tmp_path: Path) -> None:
    volunteers = "名单,,,,,,\n" + BASE["volunteers"].replace("teacher", "教授")
    with pytest.raises(DataError) as info:
        load_dataset_with_warnings(make_dataset(tmp_path / "ds", {"volunteers.csv": volunteers}))
    assert_issue(info.value, "volunteers.csv", 3, "role", "'教授'")


def test_title_line_of_a_hand_written_csv(tmp_path: Path) -> None:
    # one field on the title line, seven below: pandas alone would refuse the file
    volunteers = "社区A志愿者名单\n" + BASE["volunteers"]
    problem, warnings = _load_with_warnings(tmp_path, {"volunteers.csv": volunteers})
    assert len(problem.volunteers) == 2
    assert warnings == ["volunteers.csv: headers found on row 2; row 1 (社区A志愿者名单) ignored"]


def test_a_community_workers_own_workbook(tmp_path: Path) -> None:
    """Every case of issue 10 at once, as she typed it (synthetic data)."""
    sheets = {
        "规划期": [
            ["开始日期", "结束日期", "节日"],
            ["2026-09-20", "2026-10-31", "10月1日:国庆节"],
        ],
        "学院": [["学院"], ["机电学院"], ["A社区"]],
        "志愿者": [
            ["社区A志愿者名单"],
            [],
            ["编号", "姓名", "身份", "政治面貌", "学院", "性别", "手机", "微信号"],
            ["V1", "张三", "辅导员", "共产党员", "机电学院", "女生", "199-0000-0001", "x"],
            ["V2", "李四", "学生", "共青团员", "机电学院", "M", "199-0000-0002", ""],
        ],
        "时间": [
            ["志愿者编号", "日期", "开始时间", "结束时间"],
            ["V1", "10月1日", "全天", ""],
            ["V2", "10月1日", "下午2点-4点", ""],
        ],
        "住户": [
            ["编号", "地址", "类别", "联系电话"],
            ["H1", "3栋101", "独居老人", "199-0000-0101"],
        ],
        "需求": [
            ["编号", "名称", "类别", "住户编号", "日期", "开始", "需要带队", "必须安排"],
            ["N1", "探访", "关爱老人", "H1", "10月1日", "14:00～16:00", "需要", "不需要"],
        ],
    }
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "社区A.xlsx")
    problem, warnings = load_dataset_with_warnings(tmp_path / "社区A.xlsx")
    first, second = problem.volunteers
    assert (first.role, first.membership, first.gender, first.phone) == (
        Role.TEACHER,
        Membership.PARTY,
        Gender.FEMALE,
        "199-0000-0001",
    )
    assert (second.membership, second.gender) == (Membership.LEAGUE, Gender.MALE)
    assert [(w.start, w.end) for w in problem.availability] == [(480, 1080), (840, 960)]
    (need,) = problem.needs
    assert (need.date, need.start, need.end) == (dt.date(2026, 10, 1), 840, 960)
    assert (need.lead_required, need.must_cover) == (True, False)
    assert problem.households[0].phone == "199-0000-0101"
    assert problem.horizon.festivals == ((dt.date(2026, 10, 1), "国庆节"),)
    assert [str(w) for w in warnings] == [
        "社区A.xlsx, sheet 志愿者: headers found on row 3; row 1 (社区A志愿者名单) ignored",
        "社区A.xlsx, sheet 志愿者, column 微信号: not part of the format and was ignored",
    ]


def test_an_empty_horizon_below_a_title_names_the_row_below_the_headers(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(tmp_path / "ds", {"horizon.csv": "规划期,\nstart,end\n"}))
    assert_issue(info.value, "horizon.csv", 3, None, "found no rows")


def test_history_dates_without_year_are_the_latest_before_the_horizon_ends(
    tmp_path: Path,
) -> None:
    # past service: 10月18日 beside a September horizon is last autumn, not next month
    folder = tmp_path / "ds"
    shutil.copytree(SAMPLE_FOR_HISTORY, folder)
    history = folder / "history.csv"
    lines = history.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("date")] = "10月18日"
    history.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    problem = load_dataset(folder)
    assert problem.horizon.end == dt.date(2026, 9, 27)
    assert problem.history[0].date == dt.date(2025, 10, 18)
