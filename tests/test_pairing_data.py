"""One-to-one support in the data: household and volunteer columns, their rules, the generator."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from matcher.data_warnings import problem_warnings
from matcher.domain import Gender, Skill, Support, VisitFrequency
from matcher.generate import community_a, generate_problem
from matcher.i18n import use_language
from matcher.io import load_dataset, write_dataset
from matcher.validate import InvalidProblemError
from tests.test_io import BASE, assert_issue, load_error, make_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"

# The households sheet of tests/test_io.py's base dataset, with Chinese headers and words.
HOUSEHOLDS_ZH = (
    "编号,地址,类别,片区,帮扶方式,帮扶优先级,性别要求,所需技能,探访日,探访时段,探访时长,"
    "探访频次,探访日期,不接受的志愿者\n"
    "H1,3栋101,独居老人,北区,点对点,5,女,家电维修:2,周六、周日,09:00-11:30；14:00-16:00,"
    "90,隔周,,V2\n"
)


def test_chinese_support_columns_load(tmp_path: Path) -> None:
    volunteers = BASE["volunteers"].replace("max_hours\n", "max_hours,最多帮扶户数\n")
    volunteers = volunteers.replace(",6.5\n", ",6.5,3\n").replace("A社区,,\n", "A社区,,,\n")
    problem = load_dataset(
        make_dataset(
            tmp_path / "ds", {"households.csv": HOUSEHOLDS_ZH, "volunteers.csv": volunteers}
        )
    )
    household = problem.households[0]
    assert household.support == Support.ONE_TO_ONE and household.one_to_one
    assert household.priority == 5
    assert household.required_gender == Gender.FEMALE
    assert household.skills == (Skill("家电维修", 2),)
    assert household.visit_days == (6, 7)
    assert household.visit_times == ((540, 690), (840, 960))
    assert household.visit_minutes == 90
    assert household.visit_frequency == VisitFrequency.FORTNIGHTLY
    assert household.refused == ("V2",)
    assert [v.max_households for v in problem.volunteers] == [3, 2]  # 2 is the default


def test_existing_datasets_read_without_the_new_columns(tmp_path: Path) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds"))
    household = problem.households[0]
    assert household.support == Support.NONE and not household.one_to_one
    assert (household.priority, household.visit_minutes) == (3, 60)
    assert household.visit_frequency == VisitFrequency.WEEKLY
    assert all(v.max_households == 2 for v in problem.volunteers)


@pytest.mark.parametrize(
    ("column", "old", "new", "words"),
    [
        ("探访日", "周六、周日", "周八", ("weekday",)),
        ("探访时段", "09:00-11:30；14:00-16:00", "上午", ("time range",)),
        ("探访频次", "隔周", "每月", ("weekly",)),
        ("帮扶方式", "点对点", "也许", ("one-to-one",)),
        ("帮扶优先级", ",5,", ",9,", ("1 to 5",)),
    ],
)
def test_bad_support_cells_name_row_and_column(
    tmp_path: Path, column: str, old: str, new: str, words: tuple[str, ...]
) -> None:
    error = load_error(tmp_path, {"households.csv": HOUSEHOLDS_ZH.replace(old, new)})
    assert_issue(error, "households.csv", 2, f"{column} ({_english(column)})", *words)


def _english(header: str) -> str:
    from matcher.io import SHEETS

    spec = SHEETS["households"]
    return next(name for name, info in spec.columns.items() if header in info.zh)


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        # a visit window shorter than one visit
        ("09:00-11:30；", "09:00-09:30；", "visit_times", ("90 visit minutes", "09:00-09:30")),
        # visit dates without the frequency "dates", and the frequency without dates
        (",隔周,,", ",隔周,2026-10-03,", "visit_frequency", ("dates",)),
        (",隔周,,", ",按日期,,", "visit_dates", ("visit dates",)),
        # a skill the skills sheet does not list
        ("家电维修:2", "修飞机", "skills", ("修飞机",)),
        # a required gender with a different preferred one
        ("点对点,5,女", "点对点,5,女", "preferred_gender", ("required",)),
    ],
)
def test_support_rules_are_validated(
    tmp_path: Path, old: str, new: str, column: str, words: tuple[str, ...]
) -> None:
    households = HOUSEHOLDS_ZH.replace(old, new)
    if column == "preferred_gender":
        households = households.replace("不接受的志愿者\n", "不接受的志愿者,偏好性别\n")
        households = households.replace(",V2\n", ",V2,男\n")
    changes: dict[str, str | bytes | None] = {"households.csv": households}
    if column == "skills":
        changes["skills.csv"] = "name\n家电维修\n"
    error = load_error(tmp_path, changes)
    header = {
        "visit_times": "探访时段",
        "visit_frequency": "探访频次",
        "visit_dates": "探访日期",
        "skills": "所需技能",
        "preferred_gender": "偏好性别",
    }[column]
    assert_issue(error, "households.csv", 2, f"{header} ({column})", *words)


def test_a_refused_volunteer_who_is_not_listed_is_a_warning(tmp_path: Path) -> None:
    problem = load_dataset(
        make_dataset(tmp_path / "ds", {"households.csv": HOUSEHOLDS_ZH.replace(",V2\n", ",V9\n")})
    )
    warnings = [w for w in problem_warnings(problem) if w.field == "refused"]
    assert len(warnings) == 1 and "V9" in warnings[0].message
    with use_language("zh"):
        (warning,) = [w for w in problem_warnings(problem) if w.field == "refused"]
    assert "不接受志愿者 V9" in warning.message


def test_support_fields_round_trip(tmp_path: Path) -> None:
    problem = load_dataset(make_dataset(tmp_path / "ds", {"households.csv": HOUSEHOLDS_ZH}))
    dated = dataclasses.replace(
        problem.households[0],
        visit_frequency=VisitFrequency.DATES,
        visit_dates=(dt.date(2026, 10, 3), dt.date(2026, 12, 5)),  # past the horizon: a term
    )
    problem = problem.replace(households=(dated,))
    for target in ("folder", "book.xlsx"):
        write_dataset(problem, tmp_path / target)
        assert load_dataset(tmp_path / target) == problem.replace(name=Path(target).stem)


def test_a_bad_support_field_in_code_is_refused() -> None:
    problem = community_a()
    broken = dataclasses.replace(problem.households[0], visit_frequency=VisitFrequency.DATES)
    with pytest.raises(InvalidProblemError) as info:
        problem.replace(households=(broken, *problem.households[1:]))
    assert [i.field for i in info.value.problem_issues] == ["visit_dates"]


def test_the_sample_has_households_for_one_to_one_support() -> None:
    problem = load_dataset(SAMPLE)
    supported = [h for h in problem.households if h.one_to_one]
    assert len(supported) >= 15
    # the households added for pairing have no needs: the roster is the same
    with_needs = {n.household_id for n in problem.needs}
    assert {"H019", "H020"} <= {h.id for h in supported} - with_needs


@pytest.mark.parametrize("households", [40, 400])
def test_the_generator_makes_supported_households_at_any_size(households: int) -> None:
    problem = generate_problem(300, 10, seed=3, households=households)
    supported = [h for h in problem.households if h.one_to_one]
    assert len(problem.households) == households
    assert 0.4 * households < len(supported) < 0.9 * households
    assert {h.visit_frequency for h in supported} >= {
        VisitFrequency.WEEKLY,
        VisitFrequency.FORTNIGHTLY,
    }
    assert any(v.max_households != 2 for v in problem.volunteers)
    every = generate_problem(300, 10, seed=3, households=households, one_to_one=1.0)
    assert all(h.one_to_one for h in every.households)


def test_support_does_not_change_the_rest_of_a_generated_problem() -> None:
    # the support fields come from a spawned generator: volunteers' other fields,
    # needs and history are what they were before one-to-one support existed
    some = generate_problem(120, 30, seed=5, one_to_one=0.2)
    every = generate_problem(120, 30, seed=5, one_to_one=1.0)
    assert some.needs == every.needs and some.history == every.history
    assert [dataclasses.replace(v, max_households=2) for v in some.volunteers] == [
        dataclasses.replace(v, max_households=2) for v in every.volunteers
    ]


def test_doc_has_every_column_of_the_pairing_file() -> None:
    import re

    from matcher.io import PAIRING_SHEET

    text = (Path(__file__).resolve().parents[1] / "docs" / "data-format.md").read_text("utf-8")
    start = text.index("## Pairing files")
    body = text[start : text.index("\n## ", start + 1)]
    rows = re.finditer(r"^\| *(?P<column>[a-z_]+) *\| *(?P<zh>[^|]+?) *\|", body, re.MULTILINE)
    columns = {
        row["column"]: {alias.strip() for alias in row["zh"].split(" / ")}
        for row in rows
        if row["column"] != "column"
    }
    assert list(columns) == list(PAIRING_SHEET.columns)
    for column, info in PAIRING_SHEET.columns.items():
        assert columns[column] == set(info.zh), column
