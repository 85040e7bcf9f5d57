"""Values a community worker types in her own workbook (issue 10, "Chinese first"): accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from matcher.domain import Gender, Membership, Role
from matcher.errors import DataError
from matcher.io import (
    SHEETS,
    load_dataset,
    parse_bool,
    parse_date,
    parse_gender,
    parse_membership,
    parse_role,
    write_template,
)
from matcher.io.cells import NO_WORDS, YES_WORDS
from tests.test_io import BASE, assert_issue, make_dataset

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
