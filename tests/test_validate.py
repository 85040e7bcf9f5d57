"""The rules of a valid problem (matcher.validate): each rule, and one wording everywhere."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from matcher.data_warnings import problem_warnings
from matcher.domain import AvailabilityWindow, Pair, Pin, Problem, Travel
from matcher.errors import DataError
from matcher.io import load_dataset, write_dataset
from matcher.validate import Catalogue, InvalidProblemError, Issue, problem_issues

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_dataset(SAMPLE)


def _only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, issues
    return issues[0]


def test_the_sample_keeps_every_rule(sample: Problem) -> None:
    assert problem_issues(sample) == []


def test_replace_refuses_a_broken_problem_with_every_issue(sample: Problem) -> None:
    pinned = {p.need_id for p in sample.pins}
    assert pinned, "the sample pins someone"
    with pytest.raises(InvalidProblemError) as info:
        sample.replace(needs=tuple(n for n in sample.needs if n.id not in pinned))
    kinds = {(i.kind, i.field) for i in info.value.problem_issues}
    assert ("pins", "need_id") in kinds
    assert isinstance(info.value, DataError) and "listed in needs" in str(info.value)


def _with_need(sample: Problem, **changes: object) -> list[Issue]:
    need = next(n for n in sample.needs if n.date is not None and not n.is_flexible)
    changed = dataclasses.replace(need, **changes)
    problem = dataclasses.replace(
        sample, needs=tuple(changed if n.id == need.id else n for n in sample.needs)
    )
    return [i for i in problem_issues(problem) if i.kind == "needs"]


def test_need_rules(sample: Problem) -> None:
    issue = _only(_with_need(sample, end=0))
    assert issue.field == "end" and "expected an end after the start" in issue.message
    untimed = _with_need(sample, date=None)
    assert [i.field for i in untimed] == ["start", "end"]
    assert all("without a date" in i.message for i in untimed)
    need = next(n for n in sample.needs if n.date is not None and not n.is_flexible)
    issue = _only(_with_need(sample, duration=need.duration + 1))
    assert issue.field == "duration" and "expected at most" in issue.message
    issue = _only(_with_need(sample, max_volunteers=1, min_volunteers=2))
    assert issue.field == "max_volunteers"
    issue = _only(_with_need(sample, departments=("没有这个学院",)))
    assert issue.field == "departments" and "'没有这个学院'" in issue.message
    issue = _only(_with_need(sample, date=sample.horizon.end + dt.timedelta(days=1)))
    assert issue.field == "date" and "inside the horizon" in issue.message


def test_duplicates_name_the_first(sample: Problem) -> None:
    twice = dataclasses.replace(sample, volunteers=(*sample.volunteers, sample.volunteers[3]))
    issue = _only(problem_issues(twice))
    assert (issue.kind, issue.index, issue.first) == ("volunteers", len(sample.volunteers), 3)
    assert f"found {sample.volunteers[3].id!r} again" in issue.message
    route = Travel("甲", "乙", 5)
    issue = _only(problem_issues(dataclasses.replace(sample, travel=(route, route))))
    assert issue.kind == "travel" and "甲 -> 乙 again" in issue.message


def test_item_rules(sample: Problem) -> None:
    volunteer = sample.volunteers[0].id
    need = next(n for n in sample.needs if n.date is not None and not n.is_flexible)
    cases = {
        "availability": AvailabilityWindow(volunteer, 600, 540, weekday=6),
        "pairs": Pair(volunteer, need_id=need.id, household_id=sample.households[0].id),
        "pins": Pin(volunteer, need.id, start=need.start),
    }
    expected = {
        "availability": ("end", "expected an end after the start 10:00"),
        "pairs": ("need_id", "found both"),
        "pins": ("start", f"need {need.id} is not flexible"),
    }
    for kind, item in cases.items():
        problem = dataclasses.replace(sample, **{kind: (item,)})
        issue = _only(problem_issues(problem))
        field, words = expected[kind]
        assert (issue.kind, issue.field) == (kind, field) and words in issue.message, issue


def test_reader_and_rules_say_the_same(sample: Problem, tmp_path: Path) -> None:
    homeless = dataclasses.replace(sample.volunteers[0], max_travel=20, home_area="")
    broken = dataclasses.replace(sample, volunteers=(homeless, *sample.volunteers[1:]))
    finding = _only(problem_issues(broken))
    write_dataset(broken, tmp_path / "ds")
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path / "ds")
    issue = info.value.issues[0]
    assert (issue.row, issue.column) == (2, "max_travel")
    assert issue.message == finding.message


def test_cheap_invariants_refuse_at_construction(sample: Problem) -> None:
    need = sample.needs[0]
    for field, value in (("priority", 6), ("min_volunteers", 0), ("duration", -1)):
        with pytest.raises(ValueError, match=rf"Need\.{field}"):
            dataclasses.replace(need, **{field: value})
    with pytest.raises(ValueError, match=r"Travel\.minutes"):
        Travel("甲", "乙", -5)


def test_catalogue_of_a_problem_without_lists_lets_any_name_go(sample: Problem) -> None:
    bare = dataclasses.replace(sample, departments=(), skills=())
    catalogue = Catalogue.of(bare)
    assert catalogue.departments is None and catalogue.skills is None
    assert problem_issues(bare) == []


def test_warnings_name_what_to_look_at(sample: Problem) -> None:
    warnings = problem_warnings(sample)
    assert all(isinstance(w, Issue) for w in warnings)
    lonely = {sample.volunteers[w.index].id for w in warnings if w.kind == "volunteers"}
    windows = {w.volunteer_id for w in sample.availability}
    assert lonely == {v.id for v in sample.volunteers} - windows
    assert [sample.needs[w.index].id for w in warnings if w.field == "skills"] == ["N033"]
    # a need on a make-up workday, a household nobody reaches
    makeup = sample.horizon.makeup_days[0]
    need = next(n for n in sample.needs if n.date is not None)
    far = dataclasses.replace(sample.households[0], area="天涯")
    changed = dataclasses.replace(
        sample,
        needs=tuple(dataclasses.replace(n, date=makeup) if n is need else n for n in sample.needs),
        households=(far, *sample.households[1:]),
        volunteers=tuple(
            dataclasses.replace(v, home_area="城北", max_travel=5) for v in sample.volunteers
        ),
    )
    found = {(w.kind, w.field): w.message for w in problem_warnings(changed)}
    assert "make-up workday" in found[("needs", "date")]
    assert "beyond every volunteer's max_travel" in found[("households", "area")]
