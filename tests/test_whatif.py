"""What-if scenarios: the file format, applying a scenario, the comparison, a real Dask cluster."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matcher.domain import Problem, Role
from matcher.errors import DataError
from matcher.i18n import use_language
from matcher.io import load_dataset
from matcher.params import SolverParams
from matcher.whatif.compare import changes, comparison_data, gini, run_figures
from matcher.whatif.files import COMPARISON_FILES, comparison_files, write_comparison
from matcher.whatif.run import SCHEDULER_VARIABLE, run_scenarios
from matcher.whatif.scenarios import (
    apply_scenario,
    load_scenarios,
    scenarios_from_mapping,
    scenarios_from_text,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
SAMPLE_SCENARIOS = SAMPLE / "scenarios.toml"


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_dataset(SAMPLE)


def _issues(text: str, lang: str = "en") -> list[str]:
    with use_language(lang), pytest.raises(DataError) as caught:
        scenarios_from_text(text)
    with use_language(lang):
        return [str(issue) for issue in caught.value.issues]


# --- the file format -----------------------------------------------------------------


def test_a_bad_key_is_named_by_file_and_key_path_in_chinese_by_default() -> None:
    text = """
[[scenarios]]
name = "a"
[[scenarios]]
name = "b"
[[scenarios]]
name = "c"
remove = { department = 3, departmnet = "x" }
"""
    english = _issues(text)
    assert "scenarios.toml: scenarios[2].remove.department: expected a list, found 3" in english
    assert "scenarios.toml: scenarios[2].remove.departmnet: unknown key (a typo?)" in english
    chinese = _issues(text, "zh")
    assert any(i.startswith("scenarios.toml：scenarios[2].remove.department") for i in chinese)
    assert any("未知的键" in i for i in chinese)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1", "scenarios: missing: this key is required"),
        ("scenarios = []", "expected at least one [[scenarios]] table"),
        ('[[scenarios]]\nname="a"\n[[scenarios]]\nname="a"', "scenario name 'a' repeats"),
        ('[[scenarios]]\nname="a"\nextends="b"', "extends 'b', which is not an earlier one"),
        ('[[scenarios]]\nname="a"\nremove={share=1.5}', "scenarios[0].remove.share"),
        ('[[scenarios]]\nname="a"\nremove={share=0.1, count=2}', "give share or count"),
        ('[[scenarios]]\nname="a"\nremove={}', "expected at least one of: volunteers"),
        ('[[scenarios]]\nname="a"\nremove={role="pilot"}', "scenarios[0].remove.role"),
        (
            '[[scenarios]]\nname="a"\n[[scenarios.away]]\nvolunteers="V0001"\ndates="9/40"',
            "scenarios[0].away[0].dates",
        ),
        (
            '[[scenarios]]\nname="a"\nparams={weights={fairness=-1}}',
            "scenarios[0].params: weights.fairness: expected a non-negative int",
        ),
        ('[[scenarios]]\nname="a"\n[[scenarios.add_needs]]\nid="N9"', "without like needs"),
        ("[[scenarios]\nname=", "not a valid TOML file"),
    ],
)
def test_each_mistake_in_the_file_is_named(text: str, expected: str) -> None:
    assert any(expected in issue for issue in _issues(text)), _issues(text)


def test_values_are_read_as_in_the_spreadsheets() -> None:
    scenarios = scenarios_from_mapping(
        {
            "scenarios": [
                {
                    "name": "a",
                    "remove": {"membership": "党员、群众", "role": ["教师"]},
                    "add_needs": [
                        {"id": "N9", "like": "N003", "skills": "理发:2", "start": "下午3点"}
                    ],
                }
            ]
        }
    )
    scenario = scenarios.scenarios[0]
    assert [str(m) for m in scenario.remove.membership] == ["party", "none"]
    assert scenario.remove.role == (Role.TEACHER,)
    need = scenario.add_needs[0]
    assert need.start == 15 * 60 and need.skills[0].level == 2


# --- applying a scenario -------------------------------------------------------------


def _apply(sample: Problem, text: str, index: int = 0) -> Problem:
    return apply_scenario(sample, scenarios_from_text(text), index)[0]


def test_a_random_share_is_drawn_with_its_seed_and_takes_everything_of_theirs(
    sample: Problem,
) -> None:
    text = '[[scenarios]]\nname="a"\nremove={share=0.2, seed=5}'
    first, again = _apply(sample, text), _apply(sample, text)
    other = _apply(sample, text.replace("seed=5", "seed=6"))
    assert len(first.volunteers) == len(sample.volunteers) - 40
    assert first.volunteers == again.volunteers and first.volunteers != other.volunteers
    gone = {v.id for v in sample.volunteers} - {v.id for v in first.volunteers}
    for kind in ("availability", "blackouts", "pairs", "pins", "history"):
        assert not any(item.volunteer_id in gone for item in getattr(first, kind)), kind
    assert len(first.needs) == len(sample.needs)


def test_away_blacks_out_the_selected_volunteers_on_the_dates(sample: Problem) -> None:
    changed = _apply(
        sample,
        '[[scenarios]]\nname="a"\n[[scenarios.away]]\ndepartment="铁道工程学院"\nrole="student"\n'
        'dates=["2026-09-26", "2026-09-27"]',
    )
    chosen = {
        v.id for v in sample.volunteers if v.department == "铁道工程学院" and v.role == "student"
    }
    added = set(changed.blackouts) - set(sample.blackouts)
    assert {b.volunteer_id for b in added} == chosen
    assert {b.date.isoformat() for b in added} == {"2026-09-26", "2026-09-27"}


def test_changes_to_needs(sample: Problem) -> None:
    text = """
[[scenarios]]
name = "a"
[[scenarios.remove_needs]]
date = "2026-09-25"
location = "社区广场"
[[scenarios.change_needs]]
category = "tutoring"
at = "四点半课堂活动室"
scale = 2
[[scenarios.change_needs]]
needs = "N001"
location = "社区党群服务中心"
end = "10:30"
[[scenarios.add_needs]]
id = "N061"
like = "N003"
date = "2026-09-25"
must_cover = true
"""
    changed = _apply(sample, text)
    gone = {n.id for n in sample.needs if n.date and n.date.isoformat() == "2026-09-25"} & {
        n.id for n in sample.needs if n.location == "社区广场"
    }
    assert gone == {"N023", "N024", "N025"}
    assert not gone & set(changed.need_index)
    for need in sample.needs:
        if need.category == "tutoring" and need.location == "四点半课堂活动室":
            twice = changed.need(need.id)
            assert (twice.min_volunteers, twice.max_volunteers) == (
                2 * need.min_volunteers,
                2 * need.max_volunteers,
            )
    indoors = changed.need("N001")
    assert indoors.location == "社区党群服务中心" and indoors.duration == 120
    copy = changed.need("N061")
    assert copy.date.isoformat() == "2026-09-25" and copy.must_cover
    assert dataclasses.replace(
        copy, id="N003", date=sample.need("N003").date, must_cover=False
    ) == (sample.need("N003"))


def test_what_the_dataset_lacks_is_named_by_key_path_for_that_scenario_only(
    sample: Problem,
) -> None:
    text = """
[[scenarios]]
name = "fine"
remove = { volunteers = "V0001" }
[[scenarios]]
name = "typo"
remove = { department = "铁道工程学院x" }
[[scenarios.change_needs]]
needs = ["N999"]
priority = 5
[[scenarios]]
name = "breaks a rule"
[[scenarios.add_needs]]
id = "N001"
like = "N003"
[[scenarios.away]]
volunteers = "V0002"
dates = "2027-01-01"
"""
    scenarios = scenarios_from_text(text)
    assert len(apply_scenario(sample, scenarios, 0)[0].volunteers) == 199
    with pytest.raises(DataError) as typo:
        apply_scenario(sample, scenarios, 1)
    messages = [str(i) for i in typo.value.issues]
    assert any("scenarios[1].remove.department: " in m and "铁道工程学院x" in m for m in messages)
    assert any("scenarios[1].change_needs[0].needs: " in m and "N999" in m for m in messages)
    with pytest.raises(DataError) as broken:
        apply_scenario(sample, scenarios, 2)
    messages = [str(i) for i in broken.value.issues]
    assert any("scenarios[2].away[0].dates" in m and "2027-01-01" in m for m in messages)


def test_a_changed_problem_that_breaks_a_rule_is_refused_with_the_rule(sample: Problem) -> None:
    text = '[[scenarios]]\nname="a"\n[[scenarios.add_needs]]\nid="N001"\nlike="N003"'
    with pytest.raises(DataError) as caught:
        _apply(sample, text)
    assert any("scenarios[0] (needs[" in str(i) and "N001" in str(i) for i in caught.value.issues)


def test_a_scenario_extends_an_earlier_one(sample: Problem) -> None:
    text = """
[[scenarios]]
name = "recruit"
[[scenarios.add_volunteers]]
id = "V0901"
name = "韦示例"
role = "居民"
membership = "群众"
department = "A社区"
skills = "手语:2"
windows = [{ weekday = "周六", start = "08:30", end = "12:00" }]
[[scenarios]]
name = "away"
extends = "recruit"
[[scenarios.away]]
skill = "手语"
dates = "2026-09-26"
"""
    scenarios = scenarios_from_text(text)
    recruit = apply_scenario(sample, scenarios, 0)[0]
    away = apply_scenario(sample, scenarios, 1)[0]
    assert recruit.volunteer("V0901").skill_level("手语") == 2
    assert any(w.volunteer_id == "V0901" and w.weekday == 6 for w in recruit.availability)
    assert {b.volunteer_id for b in set(away.blackouts) - set(recruit.blackouts)} == {"V0901"}


def test_every_scenario_of_the_sample_file_builds(sample: Problem) -> None:
    scenarios = load_scenarios(SAMPLE_SCENARIOS)
    assert len(scenarios.scenarios) >= 8
    for index in range(len(scenarios.scenarios)):
        changed, params = apply_scenario(sample, scenarios, index)
        # each changes the data, or (the last) only the weights
        assert changed != sample or params.weights != SolverParams().weights, index
        assert params.seed == scenarios.settings.seed


def test_the_sample_folder_still_loads_without_warnings_with_the_scenarios_file() -> None:
    from matcher.io import load_dataset_with_warnings

    problem, found = load_dataset_with_warnings(SAMPLE)
    assert problem == load_dataset(SAMPLE) and not found


# --- figures -------------------------------------------------------------------------


def test_gini() -> None:
    assert gini([]) == 0 and gini([0, 0]) == 0 and gini([2, 2, 2]) == 0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([1, 3]) == pytest.approx(0.25)


TWO_SCENARIOS = """
[settings]
time_limit = 20
[[scenarios]]
name = "teachers away"
[[scenarios.away]]
volunteers = ["V0062", "V0045"]
dates = ["2026-09-19", "2026-09-25", "2026-09-26", "2026-09-27"]
[[scenarios]]
name = "recruit"
[[scenarios.add_volunteers]]
id = "V0901"
name = "韦示例"
role = "resident"
membership = "none"
department = "A社区"
skills = "手语:2"
windows = [{ weekday = 6, start = "08:30", end = "12:00" }]
[[scenarios]]
name = "typo"
remove = { volunteers = "V9999" }
"""


@pytest.fixture(scope="module")
def solved(sample: Problem) -> tuple:
    scenarios = scenarios_from_text(TWO_SCENARIOS)
    return run_scenarios(sample, scenarios, workers=1)


def test_scenarios_are_solved_beside_the_base(solved: tuple) -> None:
    base, runs = solved
    away, recruit, typo = runs
    assert base.state == "ok" and away.state == "ok" and recruit.state == "ok"
    assert typo.state == "invalid" and "V9999" in typo.issues[0]
    on_away = {a.volunteer_id for a in away.result.assignments}
    assert {"V0062", "V0045"}.isdisjoint(on_away)
    assert {"V0062", "V0045"} & {a.volunteer_id for a in base.result.assignments}
    # the recruit covers the sign-language need nobody else can
    assert "N033" in {u.need_id for u in run_figures(base.problem, base.result).unmet}
    assert ("N033", "V0901") in {(a.need_id, a.volunteer_id) for a in recruit.result.assignments}
    figures = run_figures(recruit.problem, recruit.result)
    assert figures.staffed == run_figures(base.problem, base.result).staffed + 1
    # stable: the base roster is the reference, so the recruit's one shift is the only change
    moved = changes(base.problem, base.result, recruit.problem, recruit.result)
    assert [(c.kind, c.need_id, c.volunteer_id) for c in moved] == [("added", "N033", "V0901")]


def test_the_comparison_counts_what_changed(solved: tuple) -> None:
    base, runs = solved
    data = comparison_data(base, runs)
    away = data["scenarios"][0]
    before = {(a.need_id, a.volunteer_id) for a in base.result.assignments}
    after = {(a.need_id, a.volunteer_id) for a in runs[0].result.assignments}
    assert away["changes"]["added"] == len(after - before)
    assert away["changes"]["removed"] == len(before - after)
    moved = changes(base.problem, base.result, runs[0].problem, runs[0].result)
    assert {c.volunteer_id for c in moved} >= {"V0062", "V0045"} & {v for _n, v in before}
    base_figures = data["base"]["figures"]
    assert away["delta"]["staffed"] == away["figures"]["staffed"] - base_figures["staffed"]
    assert sum(c["needs"] for c in base_figures["coverage_by_category"].values()) == 60
    assert base_figures["unmet_needs"][0]["reasons"]  # explained, from the solve
    assert data["scenarios"][2]["state"] == "invalid" and "figures" not in data["scenarios"][2]


def test_the_files_in_chinese_and_english(solved: tuple, tmp_path: Path) -> None:
    base, runs = solved
    with use_language("zh"):
        data = comparison_data(base, runs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a glyph missing from the font warns
            written = write_comparison(data, tmp_path)
    assert [p.name for p in written] == list(COMPARISON_FILES)
    book = load_workbook(tmp_path / "comparison.xlsx")
    assert book.sheetnames == ["情景对比", "未满足需求", "安排变动"]
    header = [c.value for c in book["情景对比"][1]]
    assert header[:3] == ["情景", "状态", "改动内容"] and "覆盖率（优先级 5）" in header
    assert [c.value for c in book["情景对比"]["A"]][1:] == [
        "基准",
        "teachers away",
        "recruit",
        "typo",
    ]
    csv_header = (tmp_path / "comparison.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert csv_header.startswith("scenario,state,description,volunteers,needs,staffed")
    assert (tmp_path / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "comparison.json").read_text("utf-8"))["base"]["name"] == "基准"
    with use_language("en"):
        english = comparison_files(comparison_data(base, runs))
    book = load_workbook(io.BytesIO(english["comparison.xlsx"]))
    assert book.sheetnames == ["Comparison", "Unmet needs", "Assignments changed"]


# --- a real Dask cluster ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def dask_cluster() -> Iterator[str]:
    """A scheduler and two workers (one thread each) as separate processes on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker"]
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        *worker,
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            # each started its own session: the group is this process and its children only
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_scenarios_run_on_a_real_scheduler_and_two_workers(
    sample: Problem, solved: tuple, dask_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client

    monkeypatch.setenv(SCHEDULER_VARIABLE, dask_cluster)
    scenarios = scenarios_from_text(TWO_SCENARIOS.split('[[scenarios]]\nname = "recruit"')[0])
    base, runs = run_scenarios(sample, scenarios)
    with Client(dask_cluster) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(executed) == 2 and sum(executed.values()) == 2  # the base and one scenario
    # one CP-SAT worker and a fixed seed: the same figures as solved here, one by one
    serial_base, serial_runs = solved
    assert base.result.status == serial_base.result.status == "OPTIMAL"
    assert set(base.result.assignments) == set(serial_base.result.assignments)
    assert set(runs[0].result.assignments) == set(serial_runs[0].result.assignments)


def test_an_unreachable_scheduler_is_a_clear_error(
    sample: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SCHEDULER_VARIABLE, f"tcp://127.0.0.1:{_free_port()}")
    monkeypatch.setattr("matcher.whatif.run.CONNECT_SECONDS", 1)
    with pytest.raises(DataError, match="cannot reach the Dask scheduler"):
        run_scenarios(sample, scenarios_from_text('[[scenarios]]\nname="a"\nremove={count=1}'))
