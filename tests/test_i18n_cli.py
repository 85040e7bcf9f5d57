"""The ``matcher`` command speaks Chinese unless asked for English.

Chinese is the default (``MATCHER_LANG`` unset), ``matcher --lang en ...``
or ``MATCHER_LANG=en`` gives English, an unknown language is a usage error
(exit 2) that names the known ones; the option covers the service's
commands (``serve``, ``keys``) too, and ``serve`` hands its language to the
service.  The suite runs with ``MATCHER_LANG=en`` (``tests/conftest.py``),
so the Chinese runs unset it for the invocation only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from matcher.check import check_roster
from matcher.domain import Assignment
from matcher.i18n import language, use_language
from matcher.io import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
runner = CliRunner()
CHINESE = {"MATCHER_LANG": None}  # CliRunner unsets a variable given as None


def _says(output: str, *words: str) -> bool:
    """Whether every one of ``words`` is in ``output``, however rich wrapped its lines."""
    flat = "".join(output.split())
    return all("".join(w.split()) in flat for w in words)


def _solve(out: Path, *options: str, env: dict[str, str | None] | None = None):
    args = [*options, "solve", str(SAMPLE), "--out", str(out), "--time-limit", "5", "--show", "3"]
    return runner.invoke(app, args, env=env)


@pytest.fixture(scope="module")
def chinese_run(tmp_path_factory: pytest.TempPathFactory):
    result = _solve(tmp_path_factory.mktemp("zh"), env=CHINESE)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def english_run(tmp_path_factory: pytest.TempPathFactory):
    # --lang wins over MATCHER_LANG, here set to Chinese
    result = _solve(tmp_path_factory.mktemp("en"), "--lang", "en", env={"MATCHER_LANG": "zh"})
    assert result.exit_code == 0, result.output
    return result


def test_solve_speaks_chinese_by_default(chinese_run) -> None:
    output = chinese_run.output
    for words in (
        "排班表",
        "日期",
        "志愿者",
        "未安排的需求",
        "可联系",
        "状态",
        "已安排需求",
        "写入",
    ):
        assert _says(output, words), words
    for english in ("Roster (", "Unstaffed needs", "Whom to ask", "needs staffed", "wrote "):
        assert not _says(output, english), english


def test_solve_speaks_english_on_request(english_run) -> None:
    output = english_run.output
    for words in ("Roster (", "Date", "Unstaffed needs", "Whom to ask", "needs staffed", "wrote "):
        assert _says(output, words), words
    assert not _says(output, "排班表") and not _says(output, "状态")


def test_the_language_ends_with_the_command(chinese_run, english_run) -> None:
    # CliRunner runs in this process: --lang must not leak into the next test
    assert language() == "en"


def test_an_unknown_language_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--lang", "xx", "summary", "summary.json"], env=CHINESE)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert _says(result.output, "'xx'", "zh, en", "未知语言", "unknown language")


def test_an_unknown_matcher_lang_is_refused_too() -> None:
    result = runner.invoke(app, ["summary", "summary.json"], env={"MATCHER_LANG": "fr"})
    assert result.exit_code == 2
    assert _says(result.output, "MATCHER_LANG", "'fr'")


@pytest.mark.parametrize("tag", ["zh", "zh-CN", "中文"])
def test_chinese_tags_choose_chinese(tag: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", tag, "summary", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert _says(result.output, "无法读取结果摘要")


def test_check_speaks_the_language_chosen(chinese_run, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    solved = _solve(tmp_path, "--lang", "en")
    assert solved.exit_code == 0, solved.output
    zh = runner.invoke(app, ["check", str(SAMPLE), str(roster)], env=CHINESE)
    en = runner.invoke(app, ["--lang", "en", "check", str(SAMPLE), str(roster)], env=CHINESE)
    assert zh.exit_code == en.exit_code == 0
    assert _says(zh.output, "通过", "满足全部硬性规则")
    assert _says(en.output, "OK:", "keep every hard rule")


def test_violations_are_translated() -> None:
    problem = load_dataset(SAMPLE)
    need = problem.needs[0]
    roster = [Assignment(need.id, "V9999", need.date, need.start, need.end)]
    with use_language("zh"):
        messages = [v.message for v in check_roster(problem, roster)]
    assert any("不存在" in m and "V9999" in m for m in messages), messages
    with use_language("en"):
        messages = [v.message for v in check_roster(problem, roster)]
    assert any("unknown volunteer 'V9999'" in m for m in messages), messages


def test_service_commands_take_the_option(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    zh = runner.invoke(
        app, ["keys", "create", "--role", "boss"], env={**CHINESE, "DATABASE_URL": url}
    )
    en = runner.invoke(
        app, ["--lang", "en", "keys", "create", "--role", "boss"], env={"DATABASE_URL": url}
    )
    assert zh.exit_code == en.exit_code == 2
    assert _says(zh.output, "角色应为")
    assert _says(en.output, "expected a role of")


@pytest.mark.parametrize(("options", "expected"), [([], "zh"), (["--lang", "en"], "en")])
def test_serve_hands_its_language_to_the_service(
    options: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, str | None] = {}

    def run(*args: object, **kwargs: object) -> None:
        seen["lang"] = os.environ.get("MATCHER_LANG")

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.delenv("MATCHER_LANG")  # restored after the test, whatever serve sets
    result = runner.invoke(app, [*options, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["lang"] == expected
    assert _says(result.output, "服务已启动") == (expected == "zh")


def test_the_installed_command_reads_matcher_lang(chinese_run, tmp_path: Path) -> None:
    # the console script's entry point, in a process of its own
    summary = tmp_path / "summary.json"
    summary.write_text(
        '{"status": "OPTIMAL", "objective": 1, "bound": 1, "gap": 0, "runtime": 0.1,'
        ' "assignments": 2, "coverage_by_priority": {}}',
        encoding="utf-8",
    )
    command = [sys.executable, "-c", "from api.cli import main; main()"]
    env = {k: v for k, v in os.environ.items() if k != "MATCHER_LANG"}
    zh = subprocess.run(
        [*command, "summary", str(summary)], env=env, capture_output=True, text=True, check=False
    )
    en = subprocess.run(
        [*command, "--lang", "en", "summary", str(summary)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert zh.returncode == en.returncode == 0, zh.stderr + en.stderr
    assert _says(zh.stdout, "状态", "最优", "按优先级的覆盖情况")
    assert _says(en.stdout, "Status", "OPTIMAL", "Coverage by priority")
