"""Explanations speak the user's language: Chinese by default, English on request.

Why a need is unstaffed, whom to ask and why each is out, must-cover
conflicts and unmet wishes are written when the run is explained, in the
language in force then; reason codes stay the same in every language.
"""

from __future__ import annotations

import dataclasses

import pytest

from matcher.domain import AvailabilityWindow, Gender, Pin, Problem, Role, Skill
from matcher.export import summary
from matcher.i18n import use_language
from matcher.result import Result, Status
from matcher.solver.conflict import describe_conflict
from tests.test_explain import _need, _problem, _volunteer
from tests.test_solver import need, problem, solved, volunteer
from tests.test_wishes import visit_case


def _solve(p: Problem, language: str, **params) -> Result:
    with use_language(language):
        return solved(p, **params)


def _unmet(result: Result, need_id: str):
    [found] = [u for u in result.unmet if u.need_id == need_id]
    return found


def _every_message(result: Result) -> list[str]:
    texts = [result.message]
    for u in result.unmet:
        texts += [r.message for r in u.reasons] + [c.message for c in u.candidates]
    for w in result.unmet_wishes:
        texts += [r.message for r in w.reasons]
    return texts


def _busy_case() -> Problem:
    """V1 serves priority-5 N1 at 社区广场 14:00-16:00; N2 at 15:00 has nobody else."""
    needs = [
        _need(1, 840, 960, "社区广场", priority=5, duration=120),
        _need(2, 900, 960, "养老院", priority=3),
    ]
    return _problem([_volunteer(1)], needs)


@pytest.mark.parametrize(
    ("language", "reason", "nearest"),
    [
        (
            "zh",
            "1 名符合条件的志愿者同一时间安排在了优先级更高的需求",
            "时间冲突：14:00-16:00 在社区广场参加 N1",
        ),
        (
            "en",
            "1 eligible volunteers went to higher-priority needs at the same time",
            "busy at N1 14:00-16:00 in 社区广场",
        ),
    ],
)
def test_a_busy_volunteer_is_named_in_the_language(language, reason, nearest) -> None:
    short = _unmet(_solve(_busy_case(), language), "N2")
    assert [(r.code, r.message) for r in short.reasons] == [("taken_higher", reason)]
    [v1] = short.candidates
    assert (v1.volunteer_id, v1.code, v1.codes, v1.message) == ("V1", "busy", ("busy",), nearest)


def test_explanations_are_chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHER_LANG", raising=False)
    with use_language(None):
        result = solved(_busy_case())
    assert _unmet(result, "N2").candidates[0].message == "时间冲突：14:00-16:00 在社区广场参加 N1"


def test_unavailable_and_lead_rules_in_the_language() -> None:
    # Students V1 and V2 cannot lead N1; teacher V3 could, but is away that day.
    volunteers = [
        _volunteer(1),
        _volunteer(2),
        dataclasses.replace(_volunteer(3), role=Role.TEACHER),
    ]
    needs = [_need(1, 540, 600, "广场", priority=3, lead_required=True)]
    availability = tuple(AvailabilityWindow(v.id, 480, 1080, weekday=6) for v in volunteers[:2])
    p = _problem(volunteers, needs, availability=availability)
    for language, lead, student, away in (
        (
            "zh",
            "符合条件的志愿者中没有人能带队（须为教师或党员）",
            "不是教师或党员（队伍需要带队）",
            "条件符合，但 2026-09-19 没空",
        ),
        (
            "en",
            "no eligible volunteer can lead (a teacher or party member)",
            "not a teacher or party member (the team needs a lead)",
            "qualified but not available on 2026-09-19",
        ),
    ):
        unmet = _unmet(_solve(p, language), "N1")
        assert (unmet.reasons[0].code, unmet.reasons[0].message) == ("team_rule", lead)
        found = {c.volunteer_id: c for c in unmet.candidates}
        assert (found["V1"].code, found["V1"].message) == ("team_rule", student)
        assert (found["V3"].code, found["V3"].message) == ("unavailable", away)


@pytest.mark.parametrize(
    ("language", "reason", "capped"),
    [
        (
            "zh",
            "1 名符合条件的志愿者已达班次上限或时长上限",
            "已达班次上限（已排 1 班，最多 1 班）",
        ),
        (
            "en",
            "1 eligible volunteers reached their shift or hour cap",
            "at their shift cap (1 of 1 shifts)",
        ),
    ],
)
def test_a_capped_volunteer_in_the_language(language: str, reason: str, capped: str) -> None:
    needs = [_need(1, 540, 600, "广场", priority=5), _need(2, 840, 900, "广场", priority=3)]
    p = _problem([dataclasses.replace(_volunteer(1), max_shifts=1)], needs)
    unmet = _unmet(_solve(p, language), "N2")
    assert [(r.code, r.message) for r in unmet.reasons] == [("cap", reason)]
    assert [(c.code, c.message) for c in unmet.candidates] == [("cap", capped)]


@pytest.mark.parametrize(
    ("language", "skill", "gender"),
    [
        ("zh", "没有志愿者具备所需技能（手语）", "符合条件的 2 名志愿者中没有女性"),
        (
            "en",
            "nobody has the required skills (手语)",
            "none of the 2 qualified volunteers is female",
        ),
    ],
)
def test_filter_reasons_fill_in_the_counts(language, skill, gender) -> None:
    needs = [
        _need(1, 540, 600, "广场", priority=3, skills=(Skill("手语"),)),
        _need(2, 660, 720, "广场", priority=3, required_gender=Gender.FEMALE),
    ]
    result = _solve(_problem([_volunteer(1), _volunteer(2)], needs), language)
    n1, n2 = _unmet(result, "N1"), _unmet(result, "N2")
    assert [(r.code, r.message) for r in n1.reasons] == [("no_skill", skill)]
    assert [(r.code, r.message) for r in n2.reasons] == [("gender", gender)]
    if language == "zh":
        assert n2.candidates[0].message == "性别为男，需求要求女性"
        assert n1.candidates[0].message == "没有手语技能"


@pytest.mark.parametrize("decompose", [True, False])
def test_must_cover_conflict_in_chinese(decompose: bool) -> None:
    # N1 and N2 both need the only sign-language volunteer V1 at the same time.
    vols = [volunteer(1, skills=(Skill("手语"),)), volunteer(2)]
    needs = [
        need(1, skills=(Skill("手语"),), must_cover=True),
        need(2, skills=(Skill("手语"),), must_cover=True),
    ]
    p = problem(vols, needs)
    result = _solve(p, "zh", decompose=decompose)
    assert result.status == Status.INFEASIBLE and result.conflict is not None
    assert (
        "这些必保需求无法同时安排：N1 需求1 2026-09-19 09:00-10:00、"
        "N2 需求2 2026-09-19 09:00-10:00；它们争用的志愿者：V1 志愿者1"
    ) in result.message
    with use_language("en"):
        english = describe_conflict(p, result.conflict)
    assert english == (
        "these must-cover needs cannot all be staffed: N1 需求1 2026-09-19 09:00-10:00, "
        "N2 需求2 2026-09-19 09:00-10:00; they compete for V1 志愿者1"
    )


def test_must_cover_conflict_with_a_pin_in_chinese() -> None:
    vols = [volunteer(1, skills=(Skill("手语"),)), volunteer(2)]
    needs = [need(1, skills=(Skill("手语"),), must_cover=True), need(2, must_cover=True), need(3)]
    result = _solve(problem(vols, needs, pins=(Pin("V1", "N3"),)), "zh", decompose=False)
    assert result.conflict is not None
    assert "涉及的固定安排：V1 固定在 N3" in result.message
    # The nearest volunteers of a run without a roster say so in Chinese too.
    assert any("本次运行没有得出排班" in text for text in _every_message(result))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh", "符合心愿（女）的 V1 有空；按软规则现在的队伍得分更高（心愿阶段已关闭）"),
        (
            "en",
            "V1 with 女 was free; the soft rules scored the team as it is higher "
            "(the wishes stage is off)",
        ),
    ],
)
def test_an_unmet_wish_is_explained_in_the_language(language: str, message: str) -> None:
    result = _solve(visit_case(), language, wishes_stage=False)
    [unmet] = result.unmet_wishes
    assert (unmet.kind, unmet.wish) == ("gender", "女")
    assert [(r.code, r.message) for r in unmet.reasons] == [("soft_rules", message)]


def test_a_wish_kept_for_coverage_in_chinese() -> None:
    haircut = need(2, skills=(Skill("理发"),), priority=5)
    result = _solve(visit_case(haircut), "zh")
    [unmet] = result.unmet_wishes
    [reason] = unmet.reasons
    assert reason.code == "kept_for_coverage"
    assert reason.message.startswith(
        "为保证 N2 有人：符合心愿（女）的志愿者（V1）同一时间在那里服务"
    )


def test_summary_carries_the_chinese_messages_with_english_codes() -> None:
    p = _busy_case()
    result = _solve(p, "zh")
    data = summary(p, result)
    [short] = data["short_needs"] or data["unmet_needs"]
    assert short["reasons"][0]["code"] == "taken_higher"
    assert short["reasons"][0]["message"].endswith("优先级更高的需求")
    assert short["candidates"][0]["code"] == "busy"
    assert short["candidates"][0]["message"].startswith("时间冲突：")
    # every placeholder is filled in
    assert not any("{" in text for text in _every_message(result))
